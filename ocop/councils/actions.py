"""Council workflows: rounds, composition, dossiers, advisory notes, declarations, scoring, closing, decisions.

Each function checks its input completely before it writes anything and
raises a ValidationError with translated messages when the input is refused
(PermissionDenied when the person may not take the step at all, whoever
calls: a view, a command, a test); the writes of one step happen in one
transaction, with the evaluation row locked where two people could act at
once (two members scoring, the chair closing while a member corrects). The
audit log records every row through the model signals (bulk writes are
recorded with `record_bulk`).

The star itself is never computed here: `ocop.rules.stars.compute_stars` is
the one place, and the council rules (quorum, spread) come from the rulebook
with the province's override (`ocop.rules.models.council_rules`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.template.defaultfilters import floatformat
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ocop.accounts.models import Role, User
from ocop.audit.log import record_bulk
from ocop.audit.models import Action
from ocop.councils.models import (
    AdvisoryNote,
    ConflictDeclaration,
    Council,
    CouncilMember,
    Decision,
    Evaluation,
    EvaluationStatus,
    Level,
    MemberFunction,
    NoteKind,
    Outcome,
    Round,
    ScoreEntry,
    Scoring,
    regular_dates,
)
from ocop.councils.querysets import may_manage_rounds
from ocop.evaluation.models import CommuneConclusion, Dossier, DossierKind, DossierStatus
from ocop.lib import clock
from ocop.rules.rulebooks import CouncilRules, Rulebook, current_rulebook, get_rulebook, rulebook_for
from ocop.rules.sheets import Sheet
from ocop.rules.stars import MemberScoring, Reason, StarResult, compute_stars


def _d(day: dt.date) -> str:
    return date_format(day, "d/m/Y")


def _n(value: Decimal | None) -> str:
    """Points as people write them, in the active language: 84, 84,5 (vi) or 84.5 (en)."""
    return floatformat(value, -2)


def _notify(users: Iterable[Any], *, kind: str, title: str, body: str, link: str) -> None:
    from ocop.notifications.actions import deliver_after_commit, notify

    deliver_after_commit(notify(users, kind=kind, title=title, body=body, link=link))


def _office(province_id: int | None) -> QuerySet[User]:
    return User.objects.filter(role=Role.PROVINCE, province_id=province_id, is_active=True).order_by("pk")


def _central_office() -> QuerySet[User]:
    return User.objects.filter(role=Role.CENTRAL, is_active=True).order_by("pk")


def _producer_users(dossier: Dossier) -> QuerySet[User]:
    return User.objects.filter(role=Role.PRODUCER, producer_id=dossier.producer_id, is_active=True).order_by("pk")


def _require_manager(round_: Round, actor: Any) -> None:
    if not Round.objects.managed_by(actor).filter(pk=round_.pk).exists():
        raise PermissionDenied(
            _("Only the OCOP office that runs this round (the provincial office, or the central office) may do this.")
        )


# --- Rounds -------------------------------------------------------------------------------------------
def round_level_for(actor: Any) -> str:
    return Level.CENTRAL if actor.role == Role.CENTRAL else Level.PROVINCE


def suggested_round(actor: Any, today: dt.date | None = None) -> dict[str, Any]:
    """The next regular round not yet set up for `actor`'s level, with its legal dates."""
    today = today or clock.today()
    level = round_level_for(actor)
    rulebook = rulebook_for(today) or current_rulebook()
    existing = Round.objects.filter(level=level)
    if level == Level.PROVINCE:
        existing = existing.filter(province_id=actor.province_id)
    taken = set(existing.values_list("year", "number"))
    for year in (today.year, today.year + 1):
        for regular in rulebook.rounds_at(level):
            proposals_by, ends_on = regular.dates(year)
            if ends_on >= today and (year, regular.number) not in taken:
                return {"year": year, "number": regular.number, "proposals_by": proposals_by, "ends_on": ends_on}
    return {"year": today.year + 1, "number": len(rulebook.rounds_at(level)) + 1}


def create_round(
    *,
    actor: Any,
    year: int,
    number: int,
    proposals_by: dt.date | None = None,
    ends_on: dt.date | None = None,
    plan_reference: str = "",
) -> Round:
    """Set up round `number` of `year` (the year it closes) for the actor's level, with its council.

    A regular round (1 and 2) takes the legal dates of the rulebook; earlier
    dates may be chosen, later ones may not. Any further round is an extra
    round (Điều 5): it needs its own dates and the reference of the plan or
    rules of procedure that provide for it.
    """
    if not may_manage_rounds(actor):
        raise PermissionDenied(_("Rounds are set up by a provincial OCOP office or the central OCOP office."))
    level = round_level_for(actor)
    rulebook = rulebook_for(clock.today()) or current_rulebook()
    plan_reference = (plan_reference or "").strip()
    errors: dict[str, list[str]] = {}

    def refuse(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if not 2000 <= year <= 2100:
        refuse("year", _("Enter a year between 2000 and 2100."))
    if number < 1:
        refuse("number", _("Round numbers start at 1."))
    regular = regular_dates(level, year, number, rulebook) if not errors else None
    if not errors and regular is None:
        if not rulebook.extra_rounds_allowed:
            refuse("number", _("This rulebook provides for regular rounds only."))
        if proposals_by is None:
            refuse("proposals_by", _("An extra round needs its cut-off date for proposals."))
        if ends_on is None:
            refuse("ends_on", _("An extra round needs the date by which it is completed."))
        if not plan_reference:
            refuse(
                "plan_reference",
                _(
                    "An extra round must be provided for in the council's rules of procedure and the evaluation "
                    "plan (QĐ 26/2026, Article 5): give their reference."
                ),
            )
    elif regular is not None:
        legal_cutoff, legal_end = regular
        proposals_by = proposals_by or legal_cutoff
        ends_on = ends_on or legal_end
        if proposals_by > legal_cutoff:
            refuse(
                "proposals_by",
                _("Round %(number)s takes proposals until %(date)s at the latest.")
                % {"number": number, "date": _d(legal_cutoff)},
            )
        if ends_on > legal_end:
            refuse(
                "ends_on",
                _("Round %(number)s must be completed by %(date)s.") % {"number": number, "date": _d(legal_end)},
            )
    if proposals_by and ends_on and ends_on < proposals_by:
        refuse("ends_on", _("The round cannot end before its cut-off date for proposals."))
    same = Round.objects.filter(level=level, year=year, number=number)
    if level == Level.PROVINCE:
        same = same.filter(province_id=actor.province_id)
    if not errors and same.exists():
        refuse("number", _("Round %(number)s of %(year)s already exists.") % {"number": number, "year": year})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        round_ = Round.objects.create(
            level=level,
            province_id=actor.province_id if level == Level.PROVINCE else None,
            year=year,
            number=number,
            rulebook=rulebook.code,
            proposals_by=proposals_by,
            ends_on=ends_on,
            plan_reference=plan_reference,
            created_by=actor,
        )
        Council.objects.create(round=round_, level=level)
    return round_


# --- Council composition ----------------------------------------------------------------------------------
def eligible_people(round_: Round) -> dict[str, QuerySet[User]]:
    """Who may sit on the round's council, by function.

    A provincial council is made of the province's council accounts (the
    departments' representatives and invited experts); its secretary may also
    be an officer of the provincial OCOP office. The national council takes
    central-office staff and council accounts of any province; its secretary
    is central-office staff.
    """
    active = User.objects.filter(is_active=True).order_by("full_name", "username")
    if round_.level == Level.PROVINCE:
        seats = active.filter(role=Role.COUNCIL, province_id=round_.province_id)
        secretary = active.filter(role__in=(Role.COUNCIL, Role.PROVINCE), province_id=round_.province_id)
    else:
        seats = active.filter(role__in=(Role.CENTRAL, Role.COUNCIL))
        secretary = active.filter(role=Role.CENTRAL)
    return {
        MemberFunction.CHAIR: seats,
        MemberFunction.MEMBER: seats,
        MemberFunction.ADVISORY: seats,
        MemberFunction.SECRETARY: secretary,
    }


def composition_locked(round_: Round) -> bool:
    """The composition is fixed once a member has declared an interest or scored in the round."""
    return (
        ConflictDeclaration.objects.filter(evaluation__round=round_).exists()
        or Scoring.objects.filter(evaluation__round=round_).exists()
    )


def compose_council(
    round_: Round,
    *,
    chair: Any,
    secretary: Any = None,
    members: Sequence[Any] = (),
    advisory: Sequence[Any] = (),
    established_by: str = "",
    actor: Any,
) -> Council:
    """Set the council of `round_`: one chair, at most one secretary, members and the advisory team."""
    _require_manager(round_, actor)
    if composition_locked(round_):
        raise ValidationError(
            _("The council can no longer change: its members have started declaring interests and scoring.")
        )
    people = eligible_people(round_)
    errors: dict[str, list[str]] = {}
    wanted: dict[int, tuple[str, Any]] = {}

    def seat(key: str, function: str, user: Any) -> None:
        if not people[function].filter(pk=user.pk).exists():
            errors.setdefault(key, []).append(
                _("%(person)s cannot sit on this council as %(function)s.")
                % {"person": user, "function": MemberFunction(function).label.lower()}
            )
        elif user.pk in wanted:
            errors.setdefault(key, []).append(
                _("%(person)s is listed twice: a person holds one function on the council.") % {"person": user}
            )
        else:
            wanted[user.pk] = (function, user)

    if chair is None:
        errors["chair"] = [_("Choose the chair of the council.")]
    else:
        seat("chair", MemberFunction.CHAIR, chair)
    if secretary is not None:
        seat("secretary", MemberFunction.SECRETARY, secretary)
    for user in members:
        seat("members", MemberFunction.MEMBER, user)
    for user in advisory:
        seat("advisory", MemberFunction.ADVISORY, user)
    if not members:
        errors.setdefault("members", []).append(_("A council needs members besides its chair."))
    if errors:
        raise ValidationError(errors)
    council = round_.council
    with transaction.atomic():
        current = {m.user_id: m for m in council.members.all()}
        # Changed functions are removed and added again: swapping chair and
        # member in place would hold two chairs for a moment.
        for user_id, member in current.items():
            if user_id not in wanted or wanted[user_id][0] != member.function:
                member.delete()
        for user_id, (function, user) in wanted.items():
            if user_id not in current or current[user_id].function != function:
                CouncilMember.objects.create(council=council, user=user, function=function)
        established_by = (established_by or "").strip()
        if council.established_by != established_by:
            council.established_by = established_by
            council.save()
    return council


# --- Dossiers in a round ------------------------------------------------------------------------------
def candidate_dossiers(round_: Round) -> QuerySet[Dossier]:
    """Dossiers waiting for this round: forwarded in its province, or proposed to the central level."""
    dossiers = Dossier.objects.select_related("product", "producer", "province")
    if round_.level == Level.PROVINCE:
        return dossiers.filter(status=DossierStatus.FORWARDED, province_id=round_.province_id)
    pending = Evaluation.objects.filter(round__level=Level.CENTRAL, status=EvaluationStatus.SCORING)
    return dossiers.filter(status=DossierStatus.PROPOSED_CENTRAL).exclude(pk__in=pending.values("dossier_id"))


def _proposed_on(dossier: Dossier) -> dt.date | None:
    evaluation = (
        Evaluation.objects.filter(dossier=dossier, round__level=Level.PROVINCE, outcome=Outcome.PROPOSED_CENTRAL)
        .select_related("proposal")
        .order_by("-closed_at")
        .first()
    )
    if evaluation is None:
        return None
    return evaluation.proposal.proposed_on if evaluation.proposal else clock.today()


def dossier_problems(round_: Round, dossier: Dossier) -> list[str]:
    """Why `dossier` cannot join `round_` (empty: it can). The completeness check of the receiving office."""
    from ocop.evaluation.actions import missing_items, report_missing

    problems: list[str] = []
    if round_.level == Level.PROVINCE:
        if dossier.province_id != round_.province_id:
            return [_("The dossier belongs to another province.")]
        if dossier.status != DossierStatus.FORWARDED:
            return [
                _("The dossier is “%(status)s”: only dossiers forwarded by the commune join a provincial round.")
                % {"status": DossierStatus(dossier.status).label}
            ]
        report = dossier.commune_reports.filter(decided_at__isnull=False).order_by("-decided_at").first()
        if report is None or report.conclusion != CommuneConclusion.FORWARD:
            problems.append(_("The commune's report (Mẫu 03) proposing the dossier is missing."))
        else:
            problems.extend(report_missing(report))
        sent = timezone.localdate(dossier.forwarded_at) if dossier.forwarded_at else None
    else:
        if dossier.status != DossierStatus.PROPOSED_CENTRAL:
            return [
                _("The dossier is “%(status)s”: only dossiers proposed by a province join a central round.")
                % {"status": DossierStatus(dossier.status).label}
            ]
        sent = _proposed_on(dossier)
    problems.extend(missing_items(dossier))
    if sent is not None and sent > round_.proposals_by:
        problems.append(
            _("It was proposed on %(sent)s, after this round's cut-off (%(cutoff)s): it belongs to the next round.")
            % {"sent": _d(sent), "cutoff": _d(round_.proposals_by)}
        )
    return problems


def add_dossiers(
    round_: Round, dossiers: Sequence[Dossier], *, written_opinions: bool = False, actor: Any
) -> list[Evaluation]:
    """Put `dossiers` before the round's council; all or none.

    `written_opinions` applies to re-evaluation dossiers only (Điều 7.6.d: the
    council decides them by written opinions, meeting only when opinions
    differ); it is recorded on their evaluations.
    """
    _require_manager(round_, actor)
    if not dossiers:
        raise ValidationError(_("Choose at least one dossier."))
    if clock.today() > round_.ends_on:
        raise ValidationError(
            _("This round ended on %(date)s: add the dossiers to a current round.") % {"date": _d(round_.ends_on)}
        )
    already = set(Evaluation.objects.filter(round=round_).values_list("dossier_id", flat=True))
    messages: list[str] = []
    for dossier in dossiers:
        problems = [_("It is already in this round.")] if dossier.pk in already else dossier_problems(round_, dossier)
        messages.extend(
            _("Dossier %(dossier)s (%(product)s): %(problem)s")
            % {"dossier": dossier, "product": dossier.product.name, "problem": problem}
            for problem in problems
        )
    if messages:
        raise ValidationError([_("No dossier was added; the office asks for completion first.")] + messages)
    from ocop.evaluation.actions import change_status, lock

    created = []
    with transaction.atomic():
        for dossier in dossiers:
            locked = lock(dossier)
            if locked.status != dossier.status:  # changed by somebody else meanwhile
                raise ValidationError(_("A dossier changed while it was being added; please try again."))
            created.append(
                Evaluation.objects.create(
                    round=round_,
                    dossier=locked,
                    rulebook=locked.rulebook,
                    sheet=locked.sheet,
                    written_opinions=written_opinions and locked.kind == DossierKind.REEVALUATION,
                    added_by=actor,
                )
            )
            if round_.level == Level.PROVINCE:
                change_status(locked, DossierStatus.UNDER_REVIEW, actor=actor, note=str(round_))
        with translation.override(settings.LANGUAGE_CODE):
            scorers = [m.user for m in round_.council.members.scoring().select_related("user")]
            _notify(
                scorers,
                kind="council.dossiers_added",
                title=_("%(count)s dossier(s) to score in %(round)s") % {"count": len(created), "round": round_},
                body=_("Declare any conflict of interest, then score each dossier by %(date)s.")
                % {"date": _d(round_.ends_on)},
                link=round_.get_absolute_url(),
            )
    return created


def set_written_opinions(evaluation: Evaluation, value: bool, *, actor: Any) -> Evaluation:
    _require_manager(evaluation.round, actor)
    if evaluation.is_closed:
        raise ValidationError(_("This evaluation is closed."))
    if value and evaluation.dossier.kind != DossierKind.REEVALUATION:
        raise ValidationError(_("Only a re-evaluation may be decided by written opinions (QĐ 26/2026, Article 7.6.d)."))
    evaluation.written_opinions = value
    evaluation.save()
    return evaluation


# --- Advisory team --------------------------------------------------------------------------------------
def add_note(evaluation: Evaluation, *, kind: str, body: str, happened_on: dt.date | None, actor: Any) -> AdvisoryNote:
    """Record a review, a site visit, an extra test or a request for completion."""
    if not Evaluation.objects.annotatable_by(actor).filter(pk=evaluation.pk).exists():
        raise PermissionDenied(_("Advisory notes are written by the OCOP office, the advisory team and the secretary."))
    errors: dict[str, str] = {}
    if kind not in NoteKind.values:
        errors["kind"] = _("Choose what kind of note this is.")
    if not (body or "").strip():
        errors["body"] = _("Write the note.")
    if happened_on is not None and happened_on > clock.today():
        errors["happened_on"] = _("The date cannot be in the future.")
    if evaluation.is_closed:
        errors["body"] = _("This evaluation is closed: notes can no longer be added.")
    if errors:
        raise ValidationError(errors)
    return AdvisoryNote.objects.create(
        evaluation=evaluation, kind=kind, body=body.strip(), happened_on=happened_on, author=actor
    )


# --- Declarations and scoring -------------------------------------------------------------------------------
def member_of(evaluation: Evaluation, user: Any) -> CouncilMember | None:
    if user is None or not user.is_authenticated:
        return None
    return CouncilMember.objects.filter(council__round_id=evaluation.round_id, user=user).first()


def _scoring_member(evaluation: Evaluation, user: Any) -> CouncilMember:
    """The council seat from which `user` scores `evaluation`, or a refusal saying why not."""
    if evaluation.is_closed:
        raise ValidationError(
            _("The chair has closed the scoring of this dossier: scores can no longer change."), code="closed"
        )
    member = member_of(evaluation, user)
    if member is None:
        raise ValidationError(_("Only the members of this dossier's council score it."), code="not_member")
    if not member.scores:
        raise ValidationError(
            _("The secretary and the advisory team prepare the council's work; they do not score."),
            code="not_scoring",
        )
    return member


def declare(evaluation: Evaluation, user: Any, *, has_conflict: bool | None, note: str = "") -> ConflictDeclaration:
    """A member's declaration of a conflict of interest with the dossier, or of none, made once before scoring."""
    member = _scoring_member(evaluation, user)
    note = (note or "").strip()
    if has_conflict is None:
        raise ValidationError({"has_conflict": _("Say whether you have a conflict of interest with this dossier.")})
    if has_conflict and not note:
        raise ValidationError(
            {"note": _("Explain the conflict of interest (e.g. family tie, adviser of the producer).")}
        )
    with transaction.atomic():
        Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if ConflictDeclaration.objects.filter(evaluation=evaluation, member=member).exists():
            raise ValidationError(_("You have already declared your interests for this dossier."), code="declared")
        return ConflictDeclaration.objects.create(
            evaluation=evaluation, member=member, has_conflict=has_conflict, note=note
        )


def sheet_of(evaluation: Evaluation) -> Sheet:
    sheet = get_rulebook(evaluation.rulebook).sheet(evaluation.sheet)
    if sheet is None:  # pragma: no cover - the dossier was opened on an existing sheet
        raise ValidationError(_("The criteria sheet of this dossier is not available."))
    return sheet


def _checked_entries(
    sheet: Sheet, choices: Mapping[str, str | None], comments: Mapping[str, str]
) -> tuple[list[ScoreEntry], Decimal]:
    """The entries of a scoring, from {criterion: option id or None (none applies)}, checked against the sheet.

    Every criterion needs an answer (an option, or "none applies" for 0
    points); a criterion not on the sheet, or an option that is not one of
    the criterion's, is refused. Points are taken from the sheet, never from
    the input.
    """
    errors: list[str] = []
    for code in sorted(set(choices) | set(comments)):
        criterion = sheet.criterion(code)
        if criterion is None:
            errors.append(
                _("Criterion %(code)s is not on criteria sheet %(sheet)s.") % {"code": code, "sheet": sheet.number}
            )
            continue
        option_id = choices.get(code)
        if option_id is not None and criterion.option(option_id) is None:
            errors.append(
                _("“%(option)s” is not an option of criterion %(code)s.") % {"option": option_id, "code": code}
            )
    missing = [c.code for c in sheet.criteria if c.code not in choices]
    if missing:
        errors.append(
            _("Choose an option (or “none applies”) for every criterion; missing: %(codes)s.")
            % {"codes": ", ".join(missing)}
        )
    if errors:
        raise ValidationError(errors, code="entries")
    entries = []
    for criterion in sheet.criteria:
        option = criterion.option(choices[criterion.code]) if choices[criterion.code] is not None else None
        entries.append(
            ScoreEntry(
                criterion=criterion.code,
                option=option.id if option else "",
                points=Decimal(option.points if option else 0),
                comment=(comments.get(criterion.code) or "").strip(),
            )
        )
    return entries, sum((e.points for e in entries), Decimal(0))


def _save_scoring(
    evaluation: Evaluation, member: CouncilMember, entries: list[ScoreEntry], total: Decimal, **extra: Any
) -> Scoring:
    scoring = Scoring.objects.create(evaluation=evaluation, member=member, total=total, **extra)
    for entry in entries:
        entry.scoring = scoring
    ScoreEntry.objects.bulk_create(entries)
    record_bulk(Action.CREATE, entries, note=f"scoring #{scoring.pk}")
    return scoring


def _locked_for_scoring(evaluation: Evaluation, user: Any) -> tuple[Evaluation, CouncilMember]:
    locked = Evaluation.objects.select_for_update().select_related("round").get(pk=evaluation.pk)
    member = _scoring_member(locked, user)
    declaration = ConflictDeclaration.objects.filter(evaluation=locked, member=member).first()
    if declaration is None:
        raise ValidationError(
            _("Declare first whether you have a conflict of interest with this dossier."), code="undeclared"
        )
    if declaration.has_conflict:
        raise ValidationError(
            _("You declared a conflict of interest with this dossier: you do not score it."), code="conflict"
        )
    return locked, member


def submit_scoring(
    evaluation: Evaluation, user: Any, choices: Mapping[str, str | None], comments: Mapping[str, str] | None = None
) -> Scoring:
    """A member's first scoring of a dossier (a second one is a correction: `correct_scoring`)."""
    sheet = sheet_of(evaluation)
    with transaction.atomic():
        locked, member = _locked_for_scoring(evaluation, user)
        if Scoring.objects.filter(evaluation=locked, member=member, is_current=True).exists():
            raise ValidationError(
                _(
                    "You have already scored this dossier. To change your scores, make a correction and give "
                    "its reason."
                ),
                code="twice",
            )
        entries, total = _checked_entries(sheet, choices, comments or {})
        scoring = _save_scoring(locked, member, entries, total)
        dossier = locked.dossier
        if dossier.status in (DossierStatus.UNDER_REVIEW, DossierStatus.FORWARDED, DossierStatus.PROPOSED_CENTRAL):
            from ocop.evaluation.actions import change_status, lock

            change_status(lock(dossier), DossierStatus.IN_COUNCIL, actor=user, note=str(locked.round))
    return scoring


def correct_scoring(
    evaluation: Evaluation,
    user: Any,
    choices: Mapping[str, str | None],
    comments: Mapping[str, str] | None = None,
    *,
    reason: str,
) -> Scoring:
    """A new scoring that supersedes the member's current one; both are kept. Only before the chair closes."""
    sheet = sheet_of(evaluation)
    reason = (reason or "").strip()
    with transaction.atomic():
        locked, member = _locked_for_scoring(evaluation, user)
        previous = Scoring.objects.filter(evaluation=locked, member=member, is_current=True).first()
        if previous is None:
            raise ValidationError(_("You have not scored this dossier yet: score it first."), code="no_scoring")
        if not reason:
            raise ValidationError({"reason": _("Give the reason for the correction (e.g. the council's discussion).")})
        entries, total = _checked_entries(sheet, choices, comments or {})
        previous.is_current = False
        previous.save(update_fields=["is_current"])
        return _save_scoring(locked, member, entries, total, supersedes=previous, reason=reason)


# --- The council's result ---------------------------------------------------------------------------------
@dataclass
class MemberRow:
    member: CouncilMember
    declaration: ConflictDeclaration | None
    scoring: Scoring | None

    @property
    def total(self) -> Decimal | None:
        return self.scoring.total if self.scoring else None


@dataclass
class Disagreement:
    """A criterion on which members chose different points."""

    code: str
    title: str
    points: list[Decimal | None]  # in the order of CouncilResult.rows (None: that member has not scored)
    low: Decimal
    high: Decimal


@dataclass
class CouncilResult:
    rules: CouncilRules
    rows: list[MemberRow]
    members: int
    scored: int
    required: int
    chair_scored: bool
    quorum_ok: bool
    totals: list[Decimal]
    spread: Decimal
    spread_ok: bool
    mean: Decimal | None
    disagreements: list[Disagreement] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    star: StarResult | None = None

    @property
    def ready(self) -> bool:
        return not self.blocked


def council_rules_for(evaluation: Evaluation, rulebook: Rulebook | None = None) -> CouncilRules:
    from ocop.rules.models import council_rules

    rulebook = rulebook or get_rulebook(evaluation.rulebook)
    province = evaluation.round.province if evaluation.round.level == Level.PROVINCE else None
    return council_rules(rulebook, province, on=clock.today())


def council_result(evaluation: Evaluation, knockouts: Iterable[str] = ()) -> CouncilResult:
    """Totals, mean, disagreements, quorum and spread checks, and — when both pass — the star with its reasons.

    The quorum counts the members who score (chair and members), conflicted
    ones included: a member who may not score is not present for the dossier.
    """
    rulebook = get_rulebook(evaluation.rulebook)
    sheet = sheet_of(evaluation)
    rules = council_rules_for(evaluation, rulebook)
    seats = list(evaluation.round.council.members.scoring().select_related("user").order_by("function", "pk"))
    declarations = {d.member_id: d for d in ConflictDeclaration.objects.filter(evaluation=evaluation)}
    scorings = {
        s.member_id: s
        for s in Scoring.objects.filter(evaluation=evaluation, is_current=True).prefetch_related("entries")
    }
    rows = [MemberRow(m, declarations.get(m.pk), scorings.get(m.pk)) for m in seats]
    scored_rows = [r for r in rows if r.scoring is not None]
    totals = [r.scoring.total for r in scored_rows]  # type: ignore[union-attr]
    chair_scored = any(r.member.function == MemberFunction.CHAIR for r in scored_rows)
    quorum_ok = rules.quorum_met(len(seats), len(scored_rows), chair_scored)
    spread = rules.spread(totals)
    spread_ok = bool(totals) and rules.spread_ok(totals)
    mean = (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01")) if totals else None
    result = CouncilResult(
        rules=rules,
        rows=rows,
        members=len(seats),
        scored=len(scored_rows),
        required=rules.required_present(len(seats)),
        chair_scored=chair_scored,
        quorum_ok=quorum_ok,
        totals=totals,
        spread=spread,
        spread_ok=spread_ok,
        mean=mean,
    )
    by_member = [{e.criterion: e.points for e in r.scoring.entries.all()} if r.scoring else None for r in rows]
    for criterion in sheet.criteria:
        given = [points.get(criterion.code) if points is not None else None for points in by_member]
        values = {p for p in given if p is not None}
        if len(values) > 1:
            result.disagreements.append(Disagreement(criterion.code, criterion.title, given, min(values), max(values)))
    if not quorum_ok:
        if rules.quorum_requires_chair and not chair_scored:
            result.blocked.append(_("The chair has not scored yet: the quorum includes the chair."))
        if len(scored_rows) < result.required:
            result.blocked.append(
                _("Quorum not reached: %(scored)s of %(members)s members have scored, %(required)s are needed.")
                % {"scored": len(scored_rows), "members": len(seats), "required": result.required}
            )
        if not result.blocked:
            result.blocked.append(_("Quorum not reached."))
    if totals and not spread_ok:
        result.blocked.append(
            _(
                "Members' totals are %(spread)s points apart; the rule allows at most %(max)s. The council discusses "
                "the criteria where members disagree and the members concerned correct their scoring."
            )
            % {"spread": _n(spread), "max": _n(rules.max_spread)}
        )
    if result.ready:
        member_scorings = [
            MemberScoring(
                member=str(r.member.pk),
                selections={e.criterion: (e.option or None) for e in r.scoring.entries.all()},  # type: ignore[union-attr]
            )
            for r in scored_rows
        ]
        result.star = compute_stars(sheet, member_scorings, knockouts=knockouts, rulebook=rulebook)
    return result


def stored_reasons(result: StarResult) -> list[dict[str, Any]]:
    """The reasons as JSON ({code, params}); rendered again in the reader's language by `reason_messages`."""
    return [
        {"code": r.code, "params": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in r.params.items()}}
        for r in result.reasons
    ]


_DECIMAL_PARAMS = frozenset({"average", "lower", "upper"})


def reason_messages(evaluation: Evaluation) -> list[str]:
    messages = []
    for item in evaluation.reasons or []:
        params = {
            k: (Decimal(v) if k in _DECIMAL_PARAMS and isinstance(v, str) else v) for k, v in item["params"].items()
        }
        messages.append(Reason(item["code"], params).message)
    return messages


def knockout_choices(evaluation: Evaluation) -> list[tuple[str, str]]:
    """The knock-out conditions a council may find (the automatic ones on a zero score are left out)."""
    return [(k.code, k.text) for k in sheet_of(evaluation).all_knockouts() if not k.when_zero]


def close_evaluation(evaluation: Evaluation, *, actor: Any, knockouts: Sequence[str] = ()) -> Evaluation:
    """The chair closes the scoring: the result is computed, stored and acted on.

    Refused while the quorum or the spread rule is not met. Then, at the
    provincial level: a knock-out or 1★–2★ is not recognised (no decision, the
    producer is told); 90 points or more go to the central council (a
    proposal); 3★–4★ await the chairman's decision. At the central level: 5★
    awaits the minister's decision; 3★–4★ return to the province, which may
    recognise them from this result; below that, not recognised.
    """
    from ocop.certificates.models import Proposal
    from ocop.evaluation.actions import change_status, lock

    with transaction.atomic():
        locked = (
            Evaluation.objects.select_for_update().select_related("round", "dossier__product").get(pk=evaluation.pk)
        )
        member = member_of(locked, actor)
        if member is None or member.function != MemberFunction.CHAIR:
            raise PermissionDenied(_("Only the chair of the council closes the scoring."))
        if locked.is_closed:
            raise ValidationError(_("The scoring of this dossier is already closed."), code="closed")
        allowed = {code for code, _text in knockout_choices(locked)}
        unknown = [code for code in knockouts if code not in allowed]
        if unknown:
            raise ValidationError(
                _("Not a knock-out condition of this criteria sheet: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        result = council_result(locked, knockouts)
        if not result.ready:
            raise ValidationError([_("The result is blocked; the scoring cannot be closed yet.")] + result.blocked)
        star = result.star
        assert star is not None
        rulebook = get_rulebook(locked.rulebook)
        threshold = rulebook.procedure.central_threshold
        locked.status = EvaluationStatus.CLOSED
        locked.average = star.average
        locked.band_star = star.band_star
        locked.final_star = star.final_star
        locked.eligible = star.eligible
        locked.reasons = stored_reasons(star)
        locked.knockouts = [k.code for k in star.knockouts]
        locked.closed_by = actor
        locked.closed_at = clock.now()
        dossier = lock(locked.dossier)
        change_status(dossier, DossierStatus.SCORED, actor=actor, note=str(locked.round))
        if not star.recognised:
            locked.outcome = Outcome.NOT_RECOGNISED
        elif locked.round.level == Level.PROVINCE:
            if threshold is not None and star.average >= threshold:
                locked.outcome = Outcome.PROPOSED_CENTRAL
                locked.proposal = Proposal.objects.create(
                    product=dossier.product,
                    star=5,
                    proposed_on=clock.today(),
                    proposed_by=str(locked.round.council),
                    note=_("Dossier %(dossier)s: average %(average)s points.")
                    % {"dossier": dossier, "average": _n(star.average)},
                )
            else:
                locked.outcome = Outcome.AWAITING_DECISION
        elif star.certifying_level == Level.CENTRAL:
            locked.outcome = Outcome.AWAITING_DECISION
        else:
            locked.outcome = Outcome.RETURNED_TO_PROVINCE
        locked.save()
        if locked.outcome == Outcome.NOT_RECOGNISED:
            change_status(dossier, DossierStatus.NOT_RECOGNISED, actor=actor, note=", ".join(star.messages()))
        elif locked.outcome == Outcome.PROPOSED_CENTRAL:
            change_status(dossier, DossierStatus.PROPOSED_CENTRAL, actor=actor, note=str(locked.proposal.note))
        _notify_closed(locked, dossier)
    evaluation.refresh_from_db()
    return evaluation


def _notify_closed(evaluation: Evaluation, dossier: Dossier) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        product = dossier.product.name
        link = dossier.get_absolute_url()
        if evaluation.outcome == Outcome.NOT_RECOGNISED:
            reasons = " ".join(reason_messages(evaluation))
            title = _("%(product)s: not recognised as an OCOP product") % {"product": product}
            _notify(
                list(_producer_users(dossier)) + list(_office(dossier.province_id)),
                kind="council.not_recognised",
                title=title,
                body=reasons,
                link=link,
            )
        elif evaluation.outcome == Outcome.PROPOSED_CENTRAL:
            body = _("Average %(average)s points: proposed to the central council for 5 stars.") % {
                "average": _n(evaluation.average)
            }
            _notify(
                list(_producer_users(dossier)) + list(_central_office()),
                kind="council.proposed_central",
                title=_("%(product)s proposed for 5 stars") % {"product": product},
                body=body,
                link=link,
            )
        else:
            central = evaluation.round.level == Level.CENTRAL
            deciders = _central_office() if evaluation.outcome == Outcome.AWAITING_DECISION and central else None
            _notify(
                list(deciders if deciders is not None else _office(dossier.province_id)),
                kind="council.awaiting_decision",
                title=_("%(product)s: %(star)s stars, awaiting the recognition decision")
                % {"product": product, "star": evaluation.final_star},
                body=_("Average %(average)s points.") % {"average": _n(evaluation.average)},
                link=evaluation.get_absolute_url(),
            )


# --- Decision -------------------------------------------------------------------------------------------
def default_body(evaluation: Evaluation) -> str:
    from ocop.certificates.actions import default_issuing_body

    return default_issuing_body(evaluation.dossier.product, evaluation.final_star or 3)


def decide(
    evaluation: Evaluation,
    *,
    number: str,
    date: dt.date | None,
    signer: str,
    body: str = "",
    actor: Any,
) -> Decision:
    """The recognition decision for a closed result and its certificate (3★–4★ province, 5★ minister).

    One decision may recognise several products: a number already used by
    the same body with the same date and signer is the same decision, and the
    product is added to it.
    """
    from ocop.certificates.actions import issue_certificate
    from ocop.evaluation.actions import change_status, lock

    number, signer = (number or "").strip(), (signer or "").strip()
    if not evaluation.is_closed:
        raise ValidationError(_("The council has not closed the scoring of this dossier yet."))
    rulebook = get_rulebook(evaluation.rulebook)
    if not evaluation.eligible or evaluation.final_star is None or not rulebook.certifies(evaluation.final_star):
        raise ValidationError(
            _(
                "Products rated 1 or 2 stars, or rejected, get no recognition decision and no certificate "
                "(QĐ 26/2026, Article 4.1.a)."
            )
        )
    if evaluation.outcome == Outcome.RECOGNISED:
        raise ValidationError(_("This result has already been recognised."))
    if evaluation.outcome == Outcome.PROPOSED_CENTRAL:
        raise ValidationError(_("This product was proposed to the central council: its result decides."))
    if not Evaluation.objects.decidable_by(actor).filter(pk=evaluation.pk).exists():
        raise PermissionDenied(
            _(
                "The provincial OCOP office of the product's province prepares the decision for 3★ and 4★, the "
                "central OCOP office for 5★."
            )
        )
    body = (body or "").strip() or default_body(evaluation)
    errors: dict[str, str] = {}
    if not number:
        errors["number"] = _("Enter the number of the recognition decision.")
    if not signer:
        errors["signer"] = _("Enter who signed the decision.")
    if date is None:
        errors["date"] = _("Enter the date of the recognition decision.")
    elif date > clock.today():
        errors["date"] = _("The decision date cannot be in the future.")
    elif evaluation.closed_at and date < timezone.localdate(evaluation.closed_at):
        errors["date"] = _("The decision cannot be dated before the council closed its scoring.")
    level = Level.CENTRAL if actor.role == Role.CENTRAL else Level.PROVINCE
    existing = Decision.objects.filter(body=body, number=number).first()
    if (
        existing is not None
        and not errors
        and (existing.date != date or existing.signer != signer or existing.level != level)
    ):
        errors["number"] = _("Decision %(number)s of %(body)s is already recorded with another date or signer.") % {
            "number": number,
            "body": body,
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Evaluation.objects.select_for_update().select_related("dossier__product").get(pk=evaluation.pk)
        if locked.outcome == Outcome.RECOGNISED:
            raise ValidationError(_("This result has already been recognised."))
        dossier = lock(locked.dossier)
        decision = existing or Decision.objects.create(
            level=level,
            province_id=dossier.province_id if level == Level.PROVINCE else None,
            number=number,
            date=date,
            signer=signer,
            body=body,
            created_by=actor,
        )
        certificate = issue_certificate(
            dossier.product,
            star=locked.final_star,
            decision_number=number,
            decision_date=date,
            issuing_body=body,
            score=locked.average,
            rulebook=locked.rulebook,
            actor=actor,
        )
        decision.evaluations.add(locked)
        decision.certificates.add(certificate)
        locked.outcome = Outcome.RECOGNISED
        locked.save()
        change_status(
            dossier,
            DossierStatus.RECOGNISED,
            actor=actor,
            note=_("Decision %(number)s of %(date)s") % {"number": number, "date": _d(date)},
        )
    evaluation.refresh_from_db()
    return decision


def decisions_for(evaluation: Evaluation) -> QuerySet[Decision]:
    return Decision.objects.filter(evaluations=evaluation).prefetch_related("certificates")


def open_evaluations_for(user: Any) -> QuerySet[Evaluation]:
    """The evaluations `user` still has to declare for or score (a council member's to-do list)."""
    done = Scoring.objects.filter(member__user=user, is_current=True).values("evaluation_id")
    conflicted = ConflictDeclaration.objects.filter(member__user=user, has_conflict=True).values("evaluation_id")
    return (
        Evaluation.objects.filter(
            status=EvaluationStatus.SCORING,
            round__council__members__user=user,
            round__council__members__function__in=(MemberFunction.CHAIR, MemberFunction.MEMBER),
        )
        .exclude(pk__in=done)
        .exclude(pk__in=conflicted)
        .select_related("round__province", "dossier__product")
        .order_by("round__ends_on", "pk")
    )
