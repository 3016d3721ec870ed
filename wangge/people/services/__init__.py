"""Every write to the registry of people: one function per change, checked, recorded and audited.

A package of modules named for what they hold; the services are imported from here.
"""

from __future__ import annotations

from wangge.people.services.duplicates import AccessRefusedValidation, community_of, registered_elsewhere_message
from wangge.people.services.fields import (
    DISABILITY_GRADES,
    EARLIEST_DATE,
    NAME_MAX,
    NOTES_MAX,
    PLAIN_FIELDS,
    SENSITIVE_TRACKED,
    check_fields,
    check_together,
)
from wangge.people.services.households import (
    household_add_member,
    household_create,
    household_move,
    household_set_head,
    refresh_identity_colors,
    residence_set,
)
from wangge.people.services.identity import (
    ID_COLUMNS,
    NUMBER_COLUMNS,
    PERMIT_COLUMNS,
    PHONE_COLUMNS,
    clean_permit,
    identity_columns,
    normalise_identity,
    permit_columns,
    phone_columns,
    reveal_value,
)
from wangge.people.services.persons import (
    person_claim,
    person_create,
    person_delete,
    person_merge,
    person_restore,
    person_reveal,
    person_update,
    person_verify,
)
from wangge.people.services.tags import tag_add, tag_end

__all__ = [
    "DISABILITY_GRADES",
    "EARLIEST_DATE",
    "ID_COLUMNS",
    "NAME_MAX",
    "NOTES_MAX",
    "NUMBER_COLUMNS",
    "PERMIT_COLUMNS",
    "PHONE_COLUMNS",
    "PLAIN_FIELDS",
    "SENSITIVE_TRACKED",
    "AccessRefusedValidation",
    "check_fields",
    "check_together",
    "clean_permit",
    "community_of",
    "household_add_member",
    "household_create",
    "household_move",
    "household_set_head",
    "identity_columns",
    "normalise_identity",
    "permit_columns",
    "person_claim",
    "person_create",
    "person_delete",
    "person_merge",
    "person_restore",
    "person_reveal",
    "person_update",
    "person_verify",
    "phone_columns",
    "refresh_identity_colors",
    "registered_elsewhere_message",
    "residence_set",
    "reveal_value",
    "tag_add",
    "tag_end",
]
