"""Read queries for screening and mentoring pages."""


# --- screening ---


# --- mentoring ---


# --- finalists ---
