"""Family relations after GB/T 4761-2008: the standard's names, and relations seen from the other side.

Pure functions of codes, genders and ages (no database): the household services call them when the
head of a household changes, so every member's relation is restated towards the new head instead of
collapsing to "other relative".
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from wangge.people.choices import Gender, Relation

R = Relation
DATA = Path(__file__).resolve().parent / "data" / "gbt4761-2008.tsv"

SONS = {R.SON, R.ONLY_SON, R.ELDEST_SON, R.SECOND_SON, R.THIRD_SON, R.FOURTH_SON, R.FIFTH_SON}
SONS |= {R.ADOPTED_OR_STEP_SON, R.OTHER_SON}
DAUGHTERS = {R.DAUGHTER, R.ONLY_DAUGHTER, R.ELDEST_DAUGHTER, R.SECOND_DAUGHTER, R.THIRD_DAUGHTER}
DAUGHTERS |= {R.FOURTH_DAUGHTER, R.FIFTH_DAUGHTER, R.ADOPTED_OR_STEP_DAUGHTER, R.OTHER_DAUGHTER}
CHILDREN = SONS | DAUGHTERS
SPOUSES = {R.SPOUSE, R.HUSBAND, R.WIFE}
PARENTS = {R.PARENT, R.FATHER, R.MOTHER, R.STEP_OR_ADOPTIVE_FATHER, R.STEP_OR_ADOPTIVE_MOTHER, R.OTHER_PARENT}
HEADS = {R.SELF, R.HEAD}


@cache
def standard_names() -> dict[str, str]:
    """Code → the standard's own name (本人, 户主, 配偶 … 非亲属), read from the table shipped with the app."""
    rows = DATA.read_text(encoding="utf-8").splitlines()[1:]
    return dict(line.split("\t", 1) for line in rows if line.strip())


def is_head(code: str) -> bool:
    """01 本人 and 02 户主 both name the head in a ledger; the registry stores 02."""
    return code in HEADS


def _by_gender(gender: str, male: str, female: str, unknown: str) -> str:
    return male if gender == Gender.MALE else female if gender == Gender.FEMALE else unknown


def child_of_gender(gender: str) -> str:
    """子女 / 儿女 / 孩子 in a ledger: 子 or 女 by the person's gender; 子 when it is not known (one-digit code 2)."""
    return _by_gender(gender, R.SON, R.DAUGHTER, R.SON)


def older(a: date | None, b: date | None) -> bool | None:
    """Whether someone born on `a` is older than someone born on `b` (None when either date is missing)."""
    if a is None or b is None or a == b:
        return None
    return a < b


def reverse(relation: str, *, gender: str, is_older: bool | None = None) -> str:
    """If X is `relation` of H, what H is of X; `gender` is H's, `is_older` whether H is older than X.

    Where the standard has no code for the other side (the wife of one's elder brother seen from her
    husband's younger sibling), the answer is 97 其他亲属: never a guess.
    """
    g = gender
    if relation in SPOUSES:
        return _by_gender(g, R.HUSBAND, R.WIFE, R.SPOUSE)
    if relation in CHILDREN:
        return _by_gender(g, R.FATHER, R.MOTHER, R.PARENT)
    table: dict[str, tuple[str, str, str]] = {
        R.SON_IN_LAW: (R.FATHER_IN_LAW_W, R.MOTHER_IN_LAW_W, R.OTHER_RELATIVE),
        R.DAUGHTER_IN_LAW: (R.FATHER_IN_LAW_H, R.MOTHER_IN_LAW_H, R.OTHER_RELATIVE),
        R.GRANDSON: (R.GRANDFATHER, R.GRANDMOTHER, R.GRANDPARENT),
        R.GRANDDAUGHTER: (R.GRANDFATHER, R.GRANDMOTHER, R.GRANDPARENT),
        R.DAUGHTERS_SON: (R.MATERNAL_GRANDFATHER, R.MATERNAL_GRANDMOTHER, R.GRANDPARENT),
        R.DAUGHTERS_DAUGHTER: (R.MATERNAL_GRANDFATHER, R.MATERNAL_GRANDMOTHER, R.GRANDPARENT),
        R.GRANDCHILD: (R.GRANDPARENT, R.GRANDPARENT, R.GRANDPARENT),
        R.OTHER_GRANDCHILD: (R.OTHER_GRANDPARENT, R.OTHER_GRANDPARENT, R.OTHER_GRANDPARENT),
        R.GRANDSON_WIFE: (R.SPOUSE_GRANDPARENT, R.SPOUSE_GRANDPARENT, R.SPOUSE_GRANDPARENT),
        R.GRANDDAUGHTER_HUSBAND: (R.SPOUSE_GRANDPARENT, R.SPOUSE_GRANDPARENT, R.SPOUSE_GRANDPARENT),
        R.GREAT_GRANDSON: (R.GREAT_GRANDFATHER, R.GREAT_GRANDMOTHER, R.OTHER_GRANDPARENT),
        R.GREAT_GRANDDAUGHTER: (R.GREAT_GRANDFATHER, R.GREAT_GRANDMOTHER, R.OTHER_GRANDPARENT),
        R.FATHER_IN_LAW_H: (R.OTHER_RELATIVE, R.DAUGHTER_IN_LAW, R.OTHER_RELATIVE),
        R.MOTHER_IN_LAW_H: (R.OTHER_RELATIVE, R.DAUGHTER_IN_LAW, R.OTHER_RELATIVE),
        R.FATHER_IN_LAW_W: (R.SON_IN_LAW, R.OTHER_RELATIVE, R.OTHER_RELATIVE),
        R.MOTHER_IN_LAW_W: (R.SON_IN_LAW, R.OTHER_RELATIVE, R.OTHER_RELATIVE),
        R.GRANDFATHER: (R.GRANDSON, R.GRANDDAUGHTER, R.GRANDCHILD),
        R.GRANDMOTHER: (R.GRANDSON, R.GRANDDAUGHTER, R.GRANDCHILD),
        R.MATERNAL_GRANDFATHER: (R.DAUGHTERS_SON, R.DAUGHTERS_DAUGHTER, R.GRANDCHILD),
        R.MATERNAL_GRANDMOTHER: (R.DAUGHTERS_SON, R.DAUGHTERS_DAUGHTER, R.GRANDCHILD),
        R.GRANDPARENT: (R.GRANDCHILD, R.GRANDCHILD, R.GRANDCHILD),
        R.OTHER_GRANDPARENT: (R.OTHER_GRANDCHILD, R.OTHER_GRANDCHILD, R.OTHER_GRANDCHILD),
        R.SPOUSE_GRANDPARENT: (R.GRANDDAUGHTER_HUSBAND, R.GRANDSON_WIFE, R.OTHER_RELATIVE),
        R.GREAT_GRANDFATHER: (R.GREAT_GRANDSON, R.GREAT_GRANDDAUGHTER, R.OTHER_GRANDCHILD),
        R.GREAT_GRANDMOTHER: (R.GREAT_GRANDSON, R.GREAT_GRANDDAUGHTER, R.OTHER_GRANDCHILD),
        R.ELDER_BROTHER: (R.YOUNGER_BROTHER, R.YOUNGER_SISTER, R.SIBLING),
        R.ELDER_SISTER: (R.YOUNGER_BROTHER, R.YOUNGER_SISTER, R.SIBLING),
        R.YOUNGER_BROTHER: (R.ELDER_BROTHER, R.ELDER_SISTER, R.SIBLING),
        R.YOUNGER_SISTER: (R.ELDER_BROTHER, R.ELDER_SISTER, R.SIBLING),
        R.PATERNAL_COUSIN: (R.PATERNAL_COUSIN, R.PATERNAL_COUSIN, R.PATERNAL_COUSIN),
        R.COUSIN: (R.COUSIN, R.COUSIN, R.COUSIN),
        R.MOTHERS_SISTER: (R.SISTERS_SON, R.SISTERS_DAUGHTER, R.OTHER_RELATIVE),
        R.MOTHERS_BROTHER: (R.SISTERS_SON, R.SISTERS_DAUGHTER, R.OTHER_RELATIVE),
        R.MOTHERS_BROTHER_WIFE: (R.SISTERS_SON, R.SISTERS_DAUGHTER, R.OTHER_RELATIVE),
        R.MOTHERS_SISTER_HUSBAND: (R.SISTERS_SON, R.SISTERS_DAUGHTER, R.OTHER_RELATIVE),
        R.FATHERS_ELDER_BROTHER: (R.BROTHERS_SON, R.BROTHERS_DAUGHTER, R.OTHER_RELATIVE),
        R.FATHERS_ELDER_BROTHER_WIFE: (R.BROTHERS_SON, R.BROTHERS_DAUGHTER, R.OTHER_RELATIVE),
        R.FATHERS_YOUNGER_BROTHER: (R.BROTHERS_SON, R.BROTHERS_DAUGHTER, R.OTHER_RELATIVE),
        R.FATHERS_YOUNGER_BROTHER_WIFE: (R.BROTHERS_SON, R.BROTHERS_DAUGHTER, R.OTHER_RELATIVE),
        R.FATHERS_SISTER: (R.BROTHERS_SON, R.BROTHERS_DAUGHTER, R.OTHER_RELATIVE),
        R.FATHERS_SISTER_HUSBAND: (R.BROTHERS_SON, R.BROTHERS_DAUGHTER, R.OTHER_RELATIVE),
        # 侄: the head is the brother's sibling (伯父 or 叔父 by an age not known here) or his sister (姑母).
        R.BROTHERS_SON: (R.OTHER_RELATIVE, R.FATHERS_SISTER, R.OTHER_RELATIVE),
        R.BROTHERS_DAUGHTER: (R.OTHER_RELATIVE, R.FATHERS_SISTER, R.OTHER_RELATIVE),
        R.SISTERS_SON: (R.MOTHERS_BROTHER, R.MOTHERS_SISTER, R.OTHER_RELATIVE),
        R.SISTERS_DAUGHTER: (R.MOTHERS_BROTHER, R.MOTHERS_SISTER, R.OTHER_RELATIVE),
        R.NON_RELATIVE: (R.NON_RELATIVE, R.NON_RELATIVE, R.NON_RELATIVE),
    }
    if relation in PARENTS:
        return _by_gender(g, R.SON, R.DAUGHTER, R.OTHER_RELATIVE)
    if relation in (R.SIBLING, R.OTHER_SIBLING):
        if is_older is None:
            return R.SIBLING
        return _by_gender(
            g,
            R.ELDER_BROTHER if is_older else R.YOUNGER_BROTHER,
            R.ELDER_SISTER if is_older else R.YOUNGER_SISTER,
            R.SIBLING,
        )
    if relation in table:
        male, female, unknown = table[relation]
        return _by_gender(g, male, female, unknown)
    return R.OTHER_RELATIVE


def towards_new_head(
    relation: str,
    *,
    new_head: str,
    gender: str,
    old_head_gender: str,
    is_older_than_new_head: bool | None = None,
    child_of_new_head: bool = False,
    spouse_of_new_head: bool = False,
) -> str:
    """A member's relation to the new head, from their relations to the old head.

    `relation` is the member's relation to the old head, `new_head` the new head's relation to the old head,
    `gender` the member's. The caller says what only the household as a whole can tell: whether the member
    is the new head's own child (the grandchild whose parent is the only son) or spouse (the only
    daughter-in-law of the only son). What cannot be told is 97 其他亲属, never a guess.
    """
    g = gender
    if relation == R.NON_RELATIVE:
        return R.NON_RELATIVE
    if new_head in SPOUSES:  # the wife or husband takes over: children stay, the two sides of parents swap
        if relation in CHILDREN | {R.SON_IN_LAW, R.DAUGHTER_IN_LAW} or relation[0] == "4":
            return relation
        if relation in (R.FATHER_IN_LAW_H, R.FATHER_IN_LAW_W):
            return R.FATHER
        if relation in (R.MOTHER_IN_LAW_H, R.MOTHER_IN_LAW_W):
            return R.MOTHER
        if relation in PARENTS:  # the old head's parents are the new head's in-laws
            in_law = (R.FATHER_IN_LAW_H, R.MOTHER_IN_LAW_H)  # the new head is the wife: her husband's parents
            if old_head_gender == Gender.FEMALE:
                in_law = (R.FATHER_IN_LAW_W, R.MOTHER_IN_LAW_W)
            return _by_gender(g, in_law[0], in_law[1], R.OTHER_RELATIVE)
        if relation == R.SPOUSE_GRANDPARENT:
            return R.GRANDPARENT
        if relation in {R.GRANDFATHER, R.GRANDMOTHER, R.MATERNAL_GRANDFATHER, R.MATERNAL_GRANDMOTHER, R.GRANDPARENT}:
            return R.SPOUSE_GRANDPARENT
        return R.OTHER_RELATIVE
    if new_head in CHILDREN:  # a son or daughter takes over
        male_line = old_head_gender == Gender.MALE
        if relation in SPOUSES:
            return _by_gender(g, R.FATHER, R.MOTHER, R.PARENT)
        if relation in CHILDREN:
            return reverse(R.SIBLING, gender=g, is_older=is_older_than_new_head)
        if relation in (R.SON_IN_LAW, R.DAUGHTER_IN_LAW):
            if spouse_of_new_head:
                return _by_gender(g, R.HUSBAND, R.WIFE, R.SPOUSE)
            return R.OTHER_RELATIVE
        if relation[0] == "4" and relation not in (R.GRANDSON_WIFE, R.GRANDDAUGHTER_HUSBAND):
            if child_of_new_head:
                return child_of_gender(g) if g else R.SON
            return R.OTHER_RELATIVE
        if relation in PARENTS:
            if male_line:
                return _by_gender(g, R.GRANDFATHER, R.GRANDMOTHER, R.GRANDPARENT)
            return _by_gender(g, R.MATERNAL_GRANDFATHER, R.MATERNAL_GRANDMOTHER, R.GRANDPARENT)
        if relation in (R.FATHER_IN_LAW_H, R.MOTHER_IN_LAW_H):  # the old head's husband's parents: the father's side
            return _by_gender(g, R.GRANDFATHER, R.GRANDMOTHER, R.GRANDPARENT)
        if relation in (R.FATHER_IN_LAW_W, R.MOTHER_IN_LAW_W):  # the old head's wife's parents: the mother's side
            return _by_gender(g, R.MATERNAL_GRANDFATHER, R.MATERNAL_GRANDMOTHER, R.GRANDPARENT)
        uncles_aunts: dict[bool, dict[str, str]] = {
            True: {
                R.ELDER_BROTHER: R.FATHERS_ELDER_BROTHER,
                R.YOUNGER_BROTHER: R.FATHERS_YOUNGER_BROTHER,
                R.ELDER_SISTER: R.FATHERS_SISTER,
                R.YOUNGER_SISTER: R.FATHERS_SISTER,
                R.ELDER_BROTHER_WIFE: R.FATHERS_ELDER_BROTHER_WIFE,
                R.YOUNGER_BROTHER_WIFE: R.FATHERS_YOUNGER_BROTHER_WIFE,
                R.ELDER_SISTER_HUSBAND: R.FATHERS_SISTER_HUSBAND,
                R.YOUNGER_SISTER_HUSBAND: R.FATHERS_SISTER_HUSBAND,
            },
            False: {
                R.ELDER_BROTHER: R.MOTHERS_BROTHER,
                R.YOUNGER_BROTHER: R.MOTHERS_BROTHER,
                R.ELDER_SISTER: R.MOTHERS_SISTER,
                R.YOUNGER_SISTER: R.MOTHERS_SISTER,
                R.ELDER_BROTHER_WIFE: R.MOTHERS_BROTHER_WIFE,
                R.YOUNGER_BROTHER_WIFE: R.MOTHERS_BROTHER_WIFE,
                R.ELDER_SISTER_HUSBAND: R.MOTHERS_SISTER_HUSBAND,
                R.YOUNGER_SISTER_HUSBAND: R.MOTHERS_SISTER_HUSBAND,
            },
        }
        if old_head_gender in (Gender.MALE, Gender.FEMALE):
            return uncles_aunts[male_line].get(relation, R.OTHER_RELATIVE)
        return R.OTHER_RELATIVE
    if new_head in PARENTS:  # a parent takes over
        if relation in SPOUSES:
            return R.DAUGHTER_IN_LAW if old_head_gender == Gender.MALE else R.SON_IN_LAW
        if relation in CHILDREN:
            if old_head_gender == Gender.MALE:
                return _by_gender(g, R.GRANDSON, R.GRANDDAUGHTER, R.GRANDCHILD)
            return _by_gender(g, R.DAUGHTERS_SON, R.DAUGHTERS_DAUGHTER, R.GRANDCHILD)
        if relation in PARENTS and spouse_of_new_head:
            return _by_gender(g, R.HUSBAND, R.WIFE, R.SPOUSE)
        siblings: dict[str, str] = {
            R.ELDER_BROTHER: R.SON,
            R.YOUNGER_BROTHER: R.SON,
            R.ELDER_SISTER: R.DAUGHTER,
            R.YOUNGER_SISTER: R.DAUGHTER,
            R.ELDER_BROTHER_WIFE: R.DAUGHTER_IN_LAW,
            R.YOUNGER_BROTHER_WIFE: R.DAUGHTER_IN_LAW,
            R.ELDER_SISTER_HUSBAND: R.SON_IN_LAW,
            R.YOUNGER_SISTER_HUSBAND: R.SON_IN_LAW,
        }
        if relation in (R.SIBLING, R.OTHER_SIBLING):
            return child_of_gender(g) if g else R.OTHER_RELATIVE
        return siblings.get(relation, R.OTHER_RELATIVE)
    return R.OTHER_RELATIVE
