"""Council pages: rounds, composition, dossiers, advisory notes, scoring, results, closing and decisions.

Thin views: each reads through the scope querysets (`ocop.councils.querysets`),
calls one action and renders. An object out of the user's scope is a 404 (its
existence is not revealed); a step the user may not take is a 403 that says
why; refused input re-renders the page with the messages and what was typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ocop.councils import actions
from ocop.councils.forms import (
    COMMENT_PREFIX,
    NONE_APPLIES,
    SCORE_PREFIX,
    AddDossiersForm,
    CouncilForm,
    DecisionForm,
    DeclarationForm,
    NoteForm,
    RoundForm,
    parse_scoring,
)
from ocop.councils.models import (
    AdvisoryNote,
    ConflictDeclaration,
    CouncilMember,
    Evaluation,
    EvaluationStatus,
    MemberFunction,
    Round,
    Scoring,
)
from ocop.councils.querysets import may_manage_rounds, may_open_councils, may_prepare_decision
from ocop.lib import clock
from ocop.registry.views.common import forbidden


def _messages_of(error: ValidationError) -> list[str]:
    return list(error.messages)


def _add_errors(form: Any, error: ValidationError) -> None:
    """Put an action's refusal on the form: by field where the action named one, else on the form."""
    if hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _readable_evaluation(request: HttpRequest, pk: int) -> Evaluation:
    return get_object_or_404(
        Evaluation.objects.for_user(request.user).select_related(
            "round__province", "round__council", "dossier__product", "dossier__producer", "dossier__province"
        ),
        pk=pk,
    )


# --- Rounds -------------------------------------------------------------------------------------------
@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    if not may_open_councils(request.user):
        return forbidden(request, _("Evaluation rounds are run by the provincial and central OCOP offices."))
    rounds = (
        Round.objects.for_user(request.user)
        .select_related("province")
        .annotate(
            dossier_count=Count("evaluations", distinct=True),
            open_count=Count("evaluations", filter=Q(evaluations__status=EvaluationStatus.SCORING), distinct=True),
        )
        .distinct()
    )
    to_score = actions.open_evaluations_for(request.user) if request.user.role == "council" else None
    context = {
        "rounds": rounds,
        "today": clock.today(),
        "can_create": may_manage_rounds(request.user),
        "to_score": to_score,
    }
    return render(request, "councils/round_list.html", context)


@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    if not may_manage_rounds(request.user):
        return forbidden(
            request,
            _("Rounds are set up by a provincial OCOP office or the central OCOP office."),
            back="councils:round_list",
        )
    form = RoundForm(request.POST or None, initial=actions.suggested_round(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            round_ = actions.create_round(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The round was set up. Now compose its council."))
            return redirect("councils:council_edit", pk=round_.pk)
    level = actions.round_level_for(request.user)
    return render(request, "councils/round_form.html", {"form": form, "level": level})


def _round_context(request: HttpRequest, round_: Round, **extra: Any) -> dict[str, Any]:
    user = request.user
    manages = Round.objects.managed_by(user).filter(pk=round_.pk).exists()
    evaluations = (
        Evaluation.objects.for_user(user)
        .filter(round=round_)
        .select_related("dossier__product", "dossier__producer")
        .annotate(scored=Count("scorings", filter=Q(scorings__is_current=True)))
        .order_by("pk")
    )
    seat = CouncilMember.objects.filter(council__round=round_, user=user).first()
    candidates = actions.candidate_dossiers(round_) if manages else None
    context: dict[str, Any] = {
        "round": round_,
        "council": round_.council,
        "members": round_.council.members.select_related("user").order_by("function", "pk"),
        "evaluations": evaluations,
        "manages": manages,
        "seat": seat,
        "today": clock.today(),
        "locked": actions.composition_locked(round_),
        "add_form": AddDossiersForm(candidates=candidates) if candidates is not None else None,
        # Each waiting dossier with what keeps it out of the round, so the office sees it before choosing.
        "candidates": [(d, actions.dossier_problems(round_, d)) for d in candidates] if candidates is not None else [],
        "selected": set(),
    }
    context.update(extra)
    return context


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round.objects.for_user(request.user).select_related("province", "council"), pk=pk)
    return render(request, "councils/round_detail.html", _round_context(request, round_))


@login_required
@require_POST
def round_add(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round.objects.for_user(request.user).select_related("province", "council"), pk=pk)
    if not Round.objects.managed_by(request.user).filter(pk=round_.pk).exists():
        return forbidden(
            request, _("Only the OCOP office that runs this round adds dossiers to it."), back=round_.get_absolute_url()
        )
    form = AddDossiersForm(request.POST, candidates=actions.candidate_dossiers(round_))
    if form.is_valid():
        try:
            added = actions.add_dossiers(
                round_,
                list(form.cleaned_data["dossiers"]),
                written_opinions=form.cleaned_data["written_opinions"],
                actor=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("%(count)s dossier(s) added to the round.") % {"count": len(added)})
            return redirect(round_)
    selected = {int(v) for v in request.POST.getlist("dossiers") if v.isdigit()}
    context = _round_context(request, round_, add_form=form, selected=selected)
    return render(request, "councils/round_detail.html", context)


@login_required
def council_edit(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round.objects.for_user(request.user).select_related("province", "council"), pk=pk)
    if not Round.objects.managed_by(request.user).filter(pk=round_.pk).exists():
        return forbidden(
            request,
            _("Only the OCOP office that runs this round composes its council."),
            back=round_.get_absolute_url(),
        )
    council = round_.council
    seats = list(council.members.select_related("user"))

    def of(function: str) -> list[Any]:
        return [m.user for m in seats if m.function == function]

    initial = {
        "established_by": council.established_by,
        "chair": next(iter(of(MemberFunction.CHAIR)), None),
        "secretary": next(iter(of(MemberFunction.SECRETARY)), None),
        "members": of(MemberFunction.MEMBER),
        "advisory": of(MemberFunction.ADVISORY),
    }
    form = CouncilForm(request.POST or None, initial=initial, people=actions.eligible_people(round_))
    locked = actions.composition_locked(round_)
    if request.method == "POST" and form.is_valid():
        try:
            actions.compose_council(
                round_,
                chair=form.cleaned_data["chair"],
                secretary=form.cleaned_data["secretary"],
                members=list(form.cleaned_data["members"]),
                advisory=list(form.cleaned_data["advisory"]),
                established_by=form.cleaned_data["established_by"],
                actor=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The council's composition was saved."))
            return redirect(round_)
    return render(request, "councils/council_form.html", {"form": form, "round": round_, "locked": locked})


# --- Evaluation: results, notes, closing, decision ----------------------------------------------------------
def _evaluation_context(request: HttpRequest, evaluation: Evaluation, **extra: Any) -> dict[str, Any]:
    user = request.user
    seat = actions.member_of(evaluation, user)
    own = (
        Scoring.objects.filter(evaluation=evaluation, member=seat, is_current=True).first()
        if seat is not None
        else None
    )
    # Members score independently: a member sees the others' scores once their own is in.
    hide_scores = not evaluation.is_closed and seat is not None and seat.scores and own is None
    result = actions.council_result(evaluation, evaluation.knockouts if evaluation.is_closed else ())
    decidable = Evaluation.objects.decidable_by(user).filter(pk=evaluation.pk).exists()
    context: dict[str, Any] = {
        "evaluation": evaluation,
        "round": evaluation.round,
        "dossier": evaluation.dossier,
        "seat": seat,
        "own": own,
        "hide_scores": hide_scores,
        "result": result,
        "reasons": actions.reason_messages(evaluation) if evaluation.is_closed else [],
        "notes": AdvisoryNote.objects.filter(evaluation=evaluation).select_related("author"),
        "history": Scoring.objects.filter(evaluation=evaluation, is_current=False).select_related("member__user"),
        "note_form": NoteForm(),
        "can_note": Evaluation.objects.annotatable_by(user).filter(pk=evaluation.pk).exists()
        and not evaluation.is_closed,
        "manages": Evaluation.objects.managed_by(user).filter(pk=evaluation.pk).exists(),
        "can_close": seat is not None and seat.function == MemberFunction.CHAIR and not evaluation.is_closed,
        "knockout_choices": actions.knockout_choices(evaluation),
        "decidable": decidable,
        "decision_form": DecisionForm(initial={"date": clock.today(), "body": actions.default_body(evaluation)})
        if decidable
        else None,
        "decisions": actions.decisions_for(evaluation),
        "errors": [],
    }
    context.update(extra)
    return context


@login_required
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _readable_evaluation(request, pk)
    return render(request, "councils/evaluation_detail.html", _evaluation_context(request, evaluation))


def _refused(request: HttpRequest, evaluation: Evaluation, error: ValidationError, **extra: Any) -> HttpResponse:
    context = _evaluation_context(request, evaluation, errors=_messages_of(error), **extra)
    return render(request, "councils/evaluation_detail.html", context)


@login_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _readable_evaluation(request, pk)
    if not Evaluation.objects.annotatable_by(request.user).filter(pk=evaluation.pk).exists():
        return forbidden(
            request,
            _("Advisory notes are written by the OCOP office, the advisory team and the secretary."),
            back=evaluation.get_absolute_url(),
        )
    form = NoteForm(request.POST)
    if not form.is_valid():
        return render(
            request, "councils/evaluation_detail.html", _evaluation_context(request, evaluation, note_form=form)
        )
    try:
        actions.add_note(evaluation, actor=request.user, **form.cleaned_data)
    except PermissionDenied as denied:
        return forbidden(request, str(denied), back=evaluation.get_absolute_url())
    except ValidationError as error:
        _add_errors(form, error)
        return render(
            request, "councils/evaluation_detail.html", _evaluation_context(request, evaluation, note_form=form)
        )
    messages.success(request, _("The note was recorded."))
    return redirect(evaluation)


@login_required
@require_POST
def written_opinions(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _readable_evaluation(request, pk)
    try:
        actions.set_written_opinions(evaluation, request.POST.get("value") == "on", actor=request.user)
    except PermissionDenied as denied:
        return forbidden(request, str(denied), back=evaluation.get_absolute_url())
    except ValidationError as error:
        return _refused(request, evaluation, error)
    messages.success(request, _("The procedure of this evaluation was saved."))
    return redirect(evaluation)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _readable_evaluation(request, pk)
    try:
        actions.close_evaluation(evaluation, actor=request.user, knockouts=request.POST.getlist("knockouts"))
    except PermissionDenied as denied:
        return forbidden(request, str(denied), back=evaluation.get_absolute_url())
    except ValidationError as error:
        return _refused(request, evaluation, error)
    messages.success(request, _("The scoring is closed and the result recorded."))
    return redirect(evaluation)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _readable_evaluation(request, pk)
    if not may_prepare_decision(request.user, evaluation):
        return forbidden(
            request,
            _(
                "The provincial OCOP office of the product's province prepares the decision for 3★ and 4★, the "
                "central OCOP office for 5★."
            ),
            back=evaluation.get_absolute_url(),
        )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        context = _evaluation_context(request, evaluation, decision_form=form, decidable=True)
        return render(request, "councils/evaluation_detail.html", context)
    try:
        decision = actions.decide(evaluation, actor=request.user, **form.cleaned_data)
    except PermissionDenied as denied:
        return forbidden(request, str(denied), back=evaluation.get_absolute_url())
    except ValidationError as error:
        _add_errors(form, error)
        return render(
            request,
            "councils/evaluation_detail.html",
            _evaluation_context(request, evaluation, decision_form=form, decidable=True),
        )
    messages.success(
        request,
        _("Decision %(number)s recorded; the certificate was issued.") % {"number": decision.number},
    )
    return redirect(evaluation)


# --- Declaration and scoring --------------------------------------------------------------------------------
def _sheet_rows(evaluation: Evaluation, choices: dict[str, str | None], comments: dict[str, str]) -> list[Any]:
    """The sheet as parts → groups → criteria, with the current answer of each criterion."""
    sheet = actions.sheet_of(evaluation)
    parts = []
    for part in sheet.parts:
        groups = []
        for group in part.groups:
            criteria = []
            for criterion in group.criteria:
                if criterion.code in choices:
                    selected = choices[criterion.code] or NONE_APPLIES
                else:
                    selected = ""
                criteria.append(
                    {
                        "criterion": criterion,
                        "selected": selected,
                        "comment": comments.get(criterion.code, ""),
                        "name": f"{SCORE_PREFIX}{criterion.code}",
                        "comment_name": f"{COMMENT_PREFIX}{criterion.code}",
                        # "None applies" is offered where no printed option is worth 0 points.
                        "offer_none": all(o.points > 0 for o in criterion.options),
                    }
                )
            groups.append({"group": group, "criteria": criteria})
        parts.append({"part": part, "groups": groups})
    return parts


def _scoring_answers(scoring: Scoring | None) -> tuple[dict[str, str | None], dict[str, str]]:
    if scoring is None:
        return {}, {}
    entries = list(scoring.entries.all())
    return {e.criterion: (e.option or None) for e in entries}, {e.criterion: e.comment for e in entries if e.comment}


def _score_page(
    request: HttpRequest,
    evaluation: Evaluation,
    *,
    correcting: bool,
    choices: dict[str, str | None] | None = None,
    comments: dict[str, str] | None = None,
    errors: list[str] | None = None,
    reason: str = "",
    declaration_form: DeclarationForm | None = None,
) -> HttpResponse:
    seat = actions.member_of(evaluation, request.user)
    declaration = (
        ConflictDeclaration.objects.filter(evaluation=evaluation, member=seat).first() if seat is not None else None
    )
    own = Scoring.objects.filter(evaluation=evaluation, member=seat, is_current=True).first() if seat else None
    if choices is None:
        choices, comments = _scoring_answers(own) if correcting else ({}, {})
    context = {
        "evaluation": evaluation,
        "dossier": evaluation.dossier,
        "seat": seat,
        "declaration": declaration,
        "declaration_form": declaration_form or DeclarationForm(),
        "own": own,
        "correcting": correcting,
        "parts": _sheet_rows(evaluation, choices, comments or {}),
        "sheet": actions.sheet_of(evaluation),
        "errors": errors or [],
        "reason": reason,
        "none_value": NONE_APPLIES,
    }
    return render(request, "councils/score.html", context)


def _scorer_refusal(request: HttpRequest, evaluation: Evaluation) -> HttpResponse | None:
    seat = actions.member_of(evaluation, request.user)
    if seat is None:
        return forbidden(
            request, _("Only the members of this dossier's council score it."), back=evaluation.get_absolute_url()
        )
    if not seat.scores:
        return forbidden(
            request,
            _("The secretary and the advisory team prepare the council's work; they do not score."),
            back=evaluation.get_absolute_url(),
        )
    return None


def _score_or_correct(request: HttpRequest, pk: int, *, correcting: bool) -> HttpResponse:
    evaluation = _readable_evaluation(request, pk)
    refusal = _scorer_refusal(request, evaluation)
    if refusal is not None:
        return refusal
    if request.method != "POST":
        return _score_page(request, evaluation, correcting=correcting)
    choices, comments = parse_scoring(request.POST)
    reason = (request.POST.get("reason") or "").strip()
    try:
        if correcting:
            actions.correct_scoring(evaluation, request.user, choices, comments, reason=reason)
        else:
            actions.submit_scoring(evaluation, request.user, choices, comments)
    except ValidationError as error:
        return _score_page(
            request,
            evaluation,
            correcting=correcting,
            choices=choices,
            comments=comments,
            errors=_messages_of(error),
            reason=reason,
        )
    messages.success(request, _("Your correction was recorded.") if correcting else _("Your scoring was recorded."))
    return redirect(evaluation)


@login_required
def score(request: HttpRequest, pk: int) -> HttpResponse:
    return _score_or_correct(request, pk, correcting=False)


@login_required
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    return _score_or_correct(request, pk, correcting=True)


@login_required
@require_POST
def declare(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _readable_evaluation(request, pk)
    refusal = _scorer_refusal(request, evaluation)
    if refusal is not None:
        return refusal
    form = DeclarationForm(request.POST)
    if form.is_valid():
        try:
            declaration = actions.declare(
                evaluation,
                request.user,
                has_conflict=form.cleaned_data["has_conflict"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if declaration.has_conflict:
                messages.success(request, _("Your conflict of interest was recorded: you do not score this dossier."))
                return redirect(evaluation)
            messages.success(request, _("Your declaration was recorded: you may now score."))
            return redirect("councils:score", pk=evaluation.pk)
    return _score_page(request, evaluation, correcting=False, declaration_form=form)
