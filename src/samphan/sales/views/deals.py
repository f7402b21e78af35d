"""Deals: the kanban board per pipeline, the list, the deal page, forms and moves."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samphan.accounts.models import Team, User
from samphan.core.forms import add_errors
from samphan.core.http import Request, search_term
from samphan.core.pagination import paginate
from samphan.core.permissions import require_perm
from samphan.sales import queries, scoring, services
from samphan.sales.access import deal_for_user
from samphan.sales.forms import DealForm, DealMoveForm, OrderLineFormSet
from samphan.sales.models import Deal, Pipeline, Stage
from samphan.sales.views.common import number_param


def _filters(request: Request, **fixed: Any) -> queries.DealFilters:
    get = request.GET
    owner = request.user.pk if get.get("owner") == "me" else number_param(get.get("owner", ""))
    outcome = get.get("outcome", "")
    return queries.DealFilters(
        pipeline=number_param(get.get("pipeline", "")),
        stage=number_param(get.get("stage", "")),
        outcome=outcome if outcome in Stage.Outcome.values else "",
        owner=owner,
        team=number_param(get.get("team", "")),
        customer=number_param(get.get("customer", "")),
        q=search_term(request),
        **fixed,
    )


def _pipeline(pk: int | None) -> Pipeline:
    pipeline = Pipeline.objects.filter(pk=pk).first() if pk else services.default_pipeline()
    if pipeline is None:
        raise Http404
    return pipeline


@login_required
def board(request: Request, pk: int | None = None) -> HttpResponse:
    require_perm(request.user, "sales.view_deal")
    pipeline = _pipeline(pk)
    filters = _filters(request)
    context = {
        "pipeline": pipeline,
        "pipelines": Pipeline.objects.all(),
        "columns": queries.pipeline_board(request.user, pipeline, filters),
        "filters": filters,
        "owners": User.objects.filter(is_active=True).order_by("username"),
        "teams": Team.objects.all(),
        "can_move": request.user.has_perm("sales.change_deal"),
    }
    template = "sales/board.html#board" if request.htmx else "sales/board.html"
    return render(request, template, context)


@login_required
def deal_list(request: Request) -> HttpResponse:
    require_perm(request.user, "sales.view_deal")
    filters = _filters(request)
    context = {
        "page": paginate(request, queries.deal_list(request.user, filters)),
        "filters": filters,
        "pipelines": Pipeline.objects.prefetch_related("stages"),
        "owners": User.objects.filter(is_active=True).order_by("username"),
        "outcomes": Stage.Outcome.choices,
    }
    template = "sales/deal_list.html#results" if request.htmx else "sales/deal_list.html"
    return render(request, template, context)


@login_required
def deal_detail(request: Request, pk: int) -> HttpResponse:
    deal = deal_for_user(request.user, pk, perm="sales.view_deal")
    changes = list(deal.stage_changes.all())
    move_form = DealMoveForm(
        pipeline_id=deal.pipeline_id,
        initial={"stage": deal.stage_id, "expected_stage": deal.stage_id},
    )
    context = {
        "deal": deal,
        "history": services.stage_durations(deal, changes),
        "move_form": move_form,
        "weighted": services.weighted(deal.amount, deal.stage.probability),
        "quotes": queries.quote_list(request.user, deal=deal.pk),
        "score": scoring.deal_score_for_page(request.user, deal) if deal.stage.is_open else None,
        "also_bought": queries.also_bought({line.product_id for line in deal.lines.all()}),
    }
    return render(request, "sales/deal_detail.html", context)


@login_required
def deal_form(request: Request, pk: int | None = None) -> HttpResponse:
    require_perm(request.user, "sales.change_deal" if pk else "sales.add_deal")
    deal = deal_for_user(request.user, pk, perm="sales.change_deal") if pk else None
    # A new deal may come with its customer (?customer=); an edited one keeps its own.
    initial = None if deal else {"customer": number_param(request.GET.get("customer", ""))}
    form = DealForm(request.POST or None, instance=deal, user=request.user, initial=initial)
    lines = OrderLineFormSet(request.POST or None, prefix="lines", initial=_line_initial(deal))
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        line_inputs = [line for line in (f.line_input() for f in lines.forms) if line]
        try:
            if deal:
                services.deal_update(
                    actor=request.user, deal=deal, fields=form.deal_fields(), lines=line_inputs
                )
            else:
                deal = services.deal_create(
                    actor=request.user,
                    fields=form.deal_fields(),
                    stage=form.cleaned_data["stage"],
                    lines=line_inputs,
                )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Deal saved."))
            return redirect("deal_detail", pk=deal.pk)
    return render(request, "sales/deal_form.html", {"form": form, "lines": lines, "deal": deal})


def _line_initial(deal: Deal | None) -> list[dict[str, Any]]:
    if deal is None:
        return []
    return [
        {
            "product": line.product_id,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount": line.discount,
        }
        for line in deal.lines.all()
    ]


@login_required
@require_POST
def deal_move(request: Request, pk: int) -> HttpResponse:
    """Move a deal: from the board (fetch, answers JSON) or the deal page's form."""
    deal = deal_for_user(request.user, pk, perm="sales.change_deal")
    form = DealMoveForm(request.POST, pipeline_id=deal.pipeline_id)
    if not form.is_valid():
        problems = [str(message) for errors in form.errors.values() for message in errors]
        return _move_refused(request, pk, " ".join(problems), status=422)
    try:
        services.deal_move(
            actor=request.user,
            deal=deal,
            stage=form.cleaned_data["stage"],
            expected_stage_id=form.cleaned_data["expected_stage"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        status = 409 if isinstance(error, services.StaleStageError) else 422
        return _move_refused(request, pk, " ".join(error.messages), status=status)
    if _wants_json(request):
        return JsonResponse({"stage": form.cleaned_data["stage"].pk})
    messages.success(request, _("Deal moved."))
    return redirect("deal_detail", pk=pk)


def _wants_json(request: Request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _move_refused(request: Request, pk: int, text: str, *, status: int) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": text}, status=status)
    messages.error(request, text)
    return redirect("deal_detail", pk=pk)
