"""Who may see and act on supervision letters, inspections with their rectification items, and tours.

Letters: the office issues, signs off and returns them; the unit a letter is addressed to sees it and
replies; leaders read every letter; nobody else sees any (404). Inspections: the office records them,
leaders read them, each inspector sees the inspections they took part in; a unit sees (and answers)
only its own rectification items, with the finding they came from. Tours: the office runs them,
leaders read them, a juror sees and scores the tours they sit on; nobody else sees any.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from keyprojects.supervision.models import (
    Finding,
    FindingPhoto,
    Inspection,
    Letter,
    LetterEvidence,
    Rectification,
    RectificationEvidence,
    Tour,
)


def _in_scope(user) -> bool:
    return user.is_authenticated and user.is_active and user.organisation_id is not None


def require_supervision_office(user) -> None:
    """Issuing, signing off, recording inspections and running tours: the office only (403)."""
    if not (user.is_authenticated and user.is_office):
        raise PermissionDenied(_("只有重点办工作人员可以执行此操作。"))


# --------------------------------------------------------------------------------------------------
# Letters
# --------------------------------------------------------------------------------------------------

LETTER_ACTIONS = ("decide", "reply")


def letters_visible_to(user) -> QuerySet[Letter]:
    """Every letter for the office and leaders; a unit's own letters for its people; none for others."""
    if not _in_scope(user):
        return Letter.objects.none()
    if user.sees_everything:
        return Letter.objects.all()
    return Letter.objects.filter(unit_id=user.organisation_id)


def can_act_on_letter(user, letter: Letter, action) -> bool:
    """May USER, who sees LETTER, do ACTION: "decide" (sign off or return: the office), "reply" (the
    unit it is addressed to)? None: just see it."""
    if action is None:
        return True
    if action == "decide":
        return user.is_office
    if action == "reply":
        return not user.sees_everything and letter.unit_id == user.organisation_id
    raise ValueError(f"unknown letter action {action!r}")


def get_letter_for_user(user, pk, *, action=None) -> Letter:
    """Letter PK if USER may see it (else 404); ACTION (see LETTER_ACTIONS) also checks that right
    (else 403)."""
    letter = (
        letters_visible_to(user)
        .select_related("unit", "project__district", "project__leader", "problem", "issued_by")
        .filter(pk=pk)
        .first()
    )
    if letter is None:
        raise Http404(_("督办函不存在或您无权查看。"))
    if not can_act_on_letter(user, letter, action):
        raise PermissionDenied(_("您可以查看该督办函，但无权执行此操作。"))
    return letter


def get_letter_evidence_for_user(user, pk) -> LetterEvidence:
    """A reply's file, only to those who may see the letter (else 404)."""
    evidence = LetterEvidence.objects.filter(pk=pk).first()
    if evidence is None:
        raise Http404(_("附件不存在。"))
    evidence.letter = get_letter_for_user(user, evidence.letter_id)
    return evidence


# --------------------------------------------------------------------------------------------------
# Inspections and rectification
# --------------------------------------------------------------------------------------------------


def inspections_visible_to(user) -> QuerySet[Inspection]:
    if not _in_scope(user):
        return Inspection.objects.none()
    if user.sees_everything:
        return Inspection.objects.all()
    return Inspection.objects.filter(inspectors=user)


def get_inspection_for_user(user, pk, *, write=False) -> Inspection:
    """Inspection PK: 404 outside USER's scope; with WRITE (findings), 403 for anyone but the office."""
    inspection = inspections_visible_to(user).filter(pk=pk).select_related("created_by").first()
    if inspection is None:
        raise Http404(_("督查记录不存在或您无权查看。"))
    if write:
        require_supervision_office(user)
    return inspection


def rectifications_visible_to(user) -> QuerySet[Rectification]:
    """The office and leaders see every item, an inspector those of their inspections, a unit its own."""
    if not _in_scope(user):
        return Rectification.objects.none()
    if user.sees_everything:
        return Rectification.objects.all()
    return Rectification.objects.filter(
        Q(unit_id=user.organisation_id) | Q(finding__inspection__inspectors=user)
    ).distinct()


RECTIFICATION_ACTIONS = ("decide", "submit")


def can_act_on_rectification(user, item: Rectification, action) -> bool:
    if action is None:
        return True
    if action == "decide":
        return user.is_office
    if action == "submit":
        return not user.sees_everything and item.unit_id == user.organisation_id
    raise ValueError(f"unknown rectification action {action!r}")


def get_rectification_for_user(user, pk, *, action=None) -> Rectification:
    """Rectification item PK (404 outside USER's scope); ACTION checks that right too (403)."""
    item = (
        rectifications_visible_to(user)
        .select_related("unit", "finding__inspection", "finding__project")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404(_("整改事项不存在或您无权查看。"))
    if not can_act_on_rectification(user, item, action):
        raise PermissionDenied(_("您可以查看该整改事项，但无权执行此操作。"))
    return item


def findings_visible_to(user) -> QuerySet[Finding]:
    """Findings of the inspections USER sees, and those behind USER's unit's rectification items."""
    if not _in_scope(user):
        return Finding.objects.none()
    if user.sees_everything:
        return Finding.objects.all()
    return Finding.objects.filter(
        Q(inspection__in=inspections_visible_to(user)) | Q(rectifications__in=rectifications_visible_to(user))
    ).distinct()


def get_finding_photo_for_user(user, pk) -> FindingPhoto:
    photo = FindingPhoto.objects.filter(pk=pk, finding__in=findings_visible_to(user)).first()
    if photo is None:
        raise Http404(_("照片不存在或您无权查看。"))
    return photo


def get_rectification_evidence_for_user(user, pk) -> RectificationEvidence:
    evidence = RectificationEvidence.objects.filter(pk=pk).first()
    if evidence is None:
        raise Http404(_("附件不存在。"))
    evidence.rectification = get_rectification_for_user(user, evidence.rectification_id)
    return evidence


# --------------------------------------------------------------------------------------------------
# Tours
# --------------------------------------------------------------------------------------------------


def tours_visible_to(user) -> QuerySet[Tour]:
    if not _in_scope(user):
        return Tour.objects.none()
    if user.sees_everything:
        return Tour.objects.all()
    return Tour.objects.filter(jurors=user)


def get_tour_for_user(user, pk, *, action=None) -> Tour:
    """Tour PK (404 outside USER's scope). ACTION "manage" (criteria, closing): the office; "score": a
    juror of the tour (else 403)."""
    tour = tours_visible_to(user).filter(pk=pk).first()
    if tour is None:
        raise Http404(_("观摩评比不存在或您无权查看。"))
    if action == "manage":
        require_supervision_office(user)
    elif action == "score":
        if not tour.jurors.filter(pk=user.pk).exists():
            raise PermissionDenied(_("只有本次观摩评比的评委可以评分。"))
    elif action is not None:
        raise ValueError(f"unknown tour action {action!r}")
    return tour
