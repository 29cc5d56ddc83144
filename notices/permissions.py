"""Who may do what with notices: a person manages only their own; a signed link stands for them.

The one-click unsubscribe needs no session: the signed token in the message is the authority,
for the one person and the one kind it names (`services.unsubscribe_read`).
"""

from committees.permissions import is_signed_in


def can_manage_preferences(user) -> bool:
    return is_signed_in(user)
