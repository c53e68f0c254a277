"""Who may see and do what in screening and mentoring."""


# --- screening ---


# --- mentoring ---


# --- finalists ---
