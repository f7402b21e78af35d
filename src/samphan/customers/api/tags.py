"""/api/v1 tags: the shop's list of tags, named and renamed; deleting one takes it off
every customer."""

from typing import Annotated, Any

from django.http import Http404
from ninja import Query, Schema, Status
from pydantic import ConfigDict, Field

from samphan.api.schemas import ERRORS, Id, MaxChars, page_of
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.customers import services
from samphan.customers.api.common import PageParams, router
from samphan.customers.models import Tag


class TagOut(Schema):
    id: int
    name: str


class TagPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[TagOut]


class TagListParams(PageParams):
    q: Annotated[str, MaxChars(50)] = Field("", description="part of the tag's name")


class TagIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, MaxChars(50)] = Field(min_length=1)


def _tag(request: Request, pk: int, perm: str) -> Tag:
    require_perm(request.user, perm)
    tag = Tag.objects.filter(pk=pk).first()
    if tag is None:
        raise Http404
    return tag


@router.get("/tags", response={200: TagPage, **ERRORS}, tags=["tags"])
def tag_list(request: Request, params: Query[TagListParams]) -> Any:
    """Tags by name; `q` finds part of a name."""
    require_perm(request.user, "customers.view_customer")
    tags = Tag.objects.order_by("name")
    if params.q.strip():
        tags = tags.filter(name__icontains=params.q.strip())
    return page_of(tags, params.page, params.page_size)


@router.post("/tags", response={201: TagOut, **ERRORS}, tags=["tags"])
def tag_create(request: Request, payload: TagIn) -> Any:
    require_perm(request.user, "customers.add_tag")
    return Status(201, services.tag_save(tag=Tag(), name=payload.name))


@router.get("/tags/{tag_id}", response={200: TagOut, **ERRORS}, tags=["tags"])
def tag_get(request: Request, tag_id: Id) -> Any:
    return _tag(request, tag_id, "customers.view_customer")


@router.patch("/tags/{tag_id}", response={200: TagOut, **ERRORS}, tags=["tags"])
def tag_update(request: Request, tag_id: Id, payload: TagIn) -> Any:
    return services.tag_save(tag=_tag(request, tag_id, "customers.change_tag"), name=payload.name)


@router.delete("/tags/{tag_id}", response={204: None, **ERRORS}, tags=["tags"])
def tag_delete(request: Request, tag_id: Id) -> Any:
    """Takes the tag off every customer; each of them gets an audit row."""
    services.tag_delete(actor=request.user, tag=_tag(request, tag_id, "customers.delete_tag"))
    return Status(204, None)
