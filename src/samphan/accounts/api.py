"""Users for administrators, and one's own API tokens: the same services and permissions as
the Users page and the settings page."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictInt

from samphan.accounts import queries, services
from samphan.accounts.models import ApiToken, Role, Team, User, hash_token
from samphan.api.schemas import ERRORS, Email, Id, MaxChars, OneOf, Search, page_of
from samphan.core.http import Request
from samphan.core.permissions import require_perm

router = Router(tags=["users"])

RoleName = Annotated[str, OneOf(Role.NAMES)]
PersonName = Annotated[str, MaxChars(150)]  # Django's first and last names, usernames


class UserOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str | None = Field(description="the user's role; null for a superuser without one")
    team_id: int | None
    is_active: bool
    has_password: bool = Field(description="false until an invited user sets one")
    last_login: dt.datetime | None

    @staticmethod
    def resolve_role(user: User) -> str | None:
        roles = user.role_names()
        return roles[0] if roles else None

    @staticmethod
    def resolve_has_password(user: User) -> bool:
        return user.has_usable_password()


class UserPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[UserOut]


class UserListParams(Schema):
    model_config = ConfigDict(extra="forbid")
    q: Search = ""
    status: Annotated[str, OneOf(queries.STATUSES, blank=True)] = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


class UserIn(Schema):
    model_config = ConfigDict(extra="forbid")
    username: PersonName
    first_name: PersonName = ""
    last_name: PersonName = ""
    email: Email = ""
    role: RoleName
    team_id: Id | None = None
    password: Annotated[str, MaxChars(128)] | None = Field(
        None, description="set it now; leave it out to e-mail an invitation instead"
    )


class UserCreatedOut(UserOut):
    invitation_sent: bool | None = Field(
        None, description="null with a password; false when the mail server refused it"
    )


class UserPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    email: Email | None = None
    role: RoleName | None = None
    team_id: Id | None = None


class TokenOut(Schema):
    id: int
    name: str
    hint: str = Field(description="the first characters, to tell tokens apart")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, MaxChars(100)] = Field(..., min_length=1)
    expires_in_days: StrictInt | None = Field(  # JSON true is not a number of days
        ApiToken.DEFAULT_LIFETIME,
        ge=1,
        le=3650,
        description="days until it stops working: 90 when left out, null for never",
    )


class TokenCreatedOut(TokenOut):
    token: str = Field(description="the secret: shown this once, never again")


def _user(request: Request, pk: int) -> User:
    require_perm(request.user, "accounts.change_user")
    return get_object_or_404(User.objects.select_related("team"), pk=pk)


def _team(team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise ValidationError({"team_id": "No team has this id."})
    return team


@router.get("/users", response={200: UserPage, **ERRORS})
def user_list(request: Request, params: Query[UserListParams]) -> Any:
    """Administrators only. `q` searches usernames, names and e-mail addresses."""
    require_perm(request.user, "accounts.view_user")
    users = queries.user_list(query=params.q, status=params.status)
    return page_of(users, params.page, params.page_size)


@router.post("/users", response={201: UserCreatedOut, **ERRORS})
def user_create(request: Request, payload: UserIn) -> Any:
    """Administrators only. Without a `password`, an invitation with a one-time link to set
    one goes to `email` (then required)."""
    require_perm(request.user, "accounts.add_user")
    if payload.password is None and not payload.email:
        raise ValidationError({"email": "An invitation needs an e-mail address."})
    user = services.user_create(
        actor=request.user,
        username=payload.username,
        first_name=payload.first_name,
        last_name=payload.last_name,
        email=payload.email,
        role=payload.role,
        team=_team(payload.team_id),
        password=payload.password,
    )
    sent = None
    if payload.password is None:
        sent = services.user_password_link_send(
            actor=request.user,
            user=user,
            base_url=request.build_absolute_uri("/"),
            invitation=True,
        )
    user.invitation_sent = sent  # type: ignore[attr-defined]
    return Status(201, user)


@router.get("/users/{user_id}", response={200: UserOut, **ERRORS})
def user_get(request: Request, user_id: Id) -> Any:
    return _user(request, user_id)


@router.patch("/users/{user_id}", response={200: UserOut, **ERRORS})
def user_update(request: Request, user_id: Id, payload: UserPatch) -> Any:
    """Name, e-mail, role and team; fields left out keep their value."""
    user = _user(request, user_id)
    changes = payload.model_dump(exclude_unset=True)
    roles = user.role_names()
    role = changes.get("role") or (roles[0] if roles else None)
    if role is None:
        raise ValidationError({"role": "Choose one of the roles."})

    def kept(name: str) -> Any:
        value = changes.get(name)
        return getattr(user, name) if value is None else value

    services.user_update(
        actor=request.user,
        user=user,
        first_name=kept("first_name"),
        last_name=kept("last_name"),
        email=kept("email"),
        role=role,
        team=_team(changes["team_id"]) if "team_id" in changes else user.team,
    )
    return _user(request, user_id)


@router.post("/users/{user_id}/deactivate", response={200: UserOut, **ERRORS})
def user_deactivate(request: Request, user_id: Id) -> Any:
    """They can no longer log in or use their tokens; never yourself, never the last admin."""
    services.user_deactivate(actor=request.user, user=_user(request, user_id))
    return _user(request, user_id)


@router.post("/users/{user_id}/reactivate", response={200: UserOut, **ERRORS})
def user_reactivate(request: Request, user_id: Id) -> Any:
    services.user_reactivate(actor=request.user, user=_user(request, user_id))
    return _user(request, user_id)


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, tags=["tokens"])
def token_list(request: Request) -> Any:
    """The caller's own tokens (never their secrets)."""
    return list(queries.token_list(request.user))


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS}, tags=["tokens"])
def token_create(request: Request, payload: TokenIn) -> Any:
    """A new token of the caller's; `token` in the answer is the only copy there will be."""
    raw = services.token_create(
        user=request.user,
        name=payload.name,
        expires_in_days=payload.expires_in_days,
    )
    token: Any = ApiToken.objects.get(key_hash=hash_token(raw))
    token.token = raw
    return Status(201, token)


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS}, tags=["tokens"])
def token_revoke(request: Request, token_id: Id) -> Any:
    """Only the caller's own tokens: anyone else's is "not found"."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.token_revoke(actor=request.user, token=token)
    return Status(204, None)
