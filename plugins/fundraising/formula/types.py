"""Static result types: what each node of a formula yields, known at compile time.

A node is one of RESULT_TYPES, or "any" when it may yield values of different types (an IF
whose branches differ), or "blank" (BLANK(), which takes the type of whatever it meets). A
formula's result_type is its root's type, "text" when that is not known."""

NUMBER, TEXT, DATE, DATETIME, CHECKBOX, ARRAY = ("number", "text", "date", "datetime",
                                                 "checkbox", "array")
ANY, BLANK = "any", "blank"
RESULT_TYPES = (NUMBER, TEXT, DATE, DATETIME, CHECKBOX, ARRAY)

FIELD_TYPES = {
    "text": TEXT, "long_text": TEXT, "email": TEXT, "url": TEXT, "phone": TEXT,
    "single_select": TEXT, "user": TEXT,
    "number": NUMBER, "currency": NUMBER, "percent": NUMBER,
    "date": DATE, "checkbox": CHECKBOX, "multi_select": ARRAY, "link": ARRAY,
}


def field_type(declared: str) -> str:
    """The static type of a reference to a field of this type ('formula:number', 'currency')."""
    if isinstance(declared, str) and declared.startswith("formula:"):
        result = declared.split(":", 1)[1]
        return result if result in RESULT_TYPES else ANY
    return FIELD_TYPES.get(declared, TEXT)


def unify(*types: str) -> str:
    """The one type that covers all of these, "any" when they differ."""
    found = {t for t in types if t != BLANK}
    if not found:
        return BLANK
    if len(found) == 1:
        return found.pop()
    if found == {DATE, DATETIME}:
        return DATETIME
    return ANY


def result_type(node_type: str) -> str:
    return node_type if node_type in RESULT_TYPES else TEXT
