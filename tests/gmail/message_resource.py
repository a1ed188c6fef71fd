"""RFC 822 messages for the fake Gmail, and their rendering as Gmail API message resources."""
import base64
import datetime
import html
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid

SNIPPET_LENGTH = 200
_ATTACHMENT_PREFIX = "ANGjdJ"


def b64url(data):
    """Gmail's encoding of bytes in JSON: URL-safe base64, padded."""
    return base64.urlsafe_b64encode(data).decode("ascii")


def b64url_decode(text):
    """Decode URL-safe base64 with or without padding; ValueError on any other alphabet."""
    if not re.fullmatch(r"[A-Za-z0-9_=-]*", text):
        raise ValueError("not URL-safe base64")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_email(raw):
    """The EmailMessage of raw RFC 822 bytes."""
    return BytesParser(policy=policy.default).parsebytes(raw)


def build_email(*, from_, to, cc, subject, text, html_body, date, attachments, headers):
    """RFC 822 bytes (CRLF line ends, as Gmail stores them) of a message with these parts.

    Text and HTML together make multipart/alternative; attachments, given as
    (filename, mime_type, content bytes), wrap the body in multipart/mixed.
    """
    message = EmailMessage()
    if from_:
        message["From"] = from_
    message["To"] = _addresses(to)
    if cc:
        message["Cc"] = _addresses(cc)
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = make_msgid(domain="mail.fund.example")
    for name, value in dict(headers).items():
        message[name] = value
    if html_body is not None and text is None:
        message.set_content(html_body, subtype="html")
    else:
        message.set_content(text or "")
        if html_body is not None:
            message.add_alternative(html_body, subtype="html")
    for filename, mime_type, content in attachments:
        maintype, subtype = mime_type.split("/", 1)
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes(policy=policy.SMTP)


def _addresses(value):
    return value if isinstance(value, str) else ", ".join(value)


def message_date(raw, default):
    """The Date header of raw bytes as an aware datetime, or default when absent or unparsable."""
    moment = getattr(parse_email(raw).get("Date"), "datetime", None)
    return moment if moment is not None and moment.tzinfo else default


def message_resource(stored, form="full", metadata_headers=()):
    """Gmail's users.messages resource for a stored message in the given format."""
    email = parse_email(stored.raw)
    resource = {"id": stored.id, "threadId": stored.thread_id, "labelIds": list(stored.label_ids),
                "snippet": snippet(email), "sizeEstimate": len(stored.raw),
                "historyId": str(stored.history_id), "internalDate": str(stored.internal_date)}
    if form == "raw":
        resource["raw"] = b64url(stored.raw)
    elif form == "metadata":
        wanted = {name.lower() for name in metadata_headers}
        headers = [h for h in _headers(email) if not wanted or h["name"].lower() in wanted]
        resource["payload"] = {"partId": "", "mimeType": email.get_content_type(), "filename": "",
                               "headers": headers}
    elif form == "full":
        resource["payload"] = _part(email, "", stored.id)
    return resource


def _headers(part):
    return [{"name": name, "value": str(value)} for name, value in part.items()]


def _part(part, part_id, message_id):
    node = {"partId": part_id, "mimeType": part.get_content_type(),
            "filename": part.get_filename() or "", "headers": _headers(part)}
    if part.is_multipart():
        node["body"] = {"size": 0}
        node["parts"] = [_part(child, f"{part_id}.{i}" if part_id else str(i), message_id)
                         for i, child in enumerate(part.iter_parts())]
        return node
    data = part.get_payload(decode=True) or b""
    if node["filename"]:
        node["body"] = {"attachmentId": attachment_id(message_id, part_id), "size": len(data)}
    elif data:
        node["body"] = {"size": len(data), "data": b64url(data)}
    else:
        node["body"] = {"size": 0}
    return node


def attachment_id(message_id, part_id):
    """A stable opaque id naming one part of one message."""
    return _ATTACHMENT_PREFIX + b64url(f"{message_id}:{part_id}".encode()).rstrip("=")


def attachment_data(stored, attachment):
    """The decoded bytes of the attachment with this id in the stored message, or None."""
    if not attachment.startswith(_ATTACHMENT_PREFIX):
        return None
    try:
        encoded = attachment[len(_ATTACHMENT_PREFIX):]
        message_id, part_id = b64url_decode(encoded).decode().split(":")
    except (ValueError, UnicodeDecodeError):
        return None
    if message_id != stored.id:
        return None
    part = parse_email(stored.raw)
    for index in filter(None, part_id.split(".")):
        children = list(part.iter_parts()) if part.is_multipart() else []
        if int(index) >= len(children):
            return None
        part = children[int(index)]
    return part.get_payload(decode=True) if part.get_filename() else None


def snippet(email):
    """Gmail's snippet: the text body's start, whitespace collapsed, HTML-escaped as Gmail does."""
    body = email.get_body(("plain", "html"))
    if body is None:
        return ""
    text = body.get_content()
    if body.get_content_subtype() == "html":
        text = html.unescape(re.sub(r"<[^>]*>", " ", text))
    text = html.escape(" ".join(text.split())[:SNIPPET_LENGTH], quote=False)
    return text.replace('"', "&quot;").replace("'", "&#39;")


def epoch_ms(moment):
    """Milliseconds since the epoch of an aware datetime (Gmail's internalDate)."""
    if moment.tzinfo is None:
        raise ValueError("give an aware datetime: Gmail dates are absolute instants")
    return int(moment.timestamp() * 1000)


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)
