"""The smtp plugin: the CRM's own outbound mail account."""
