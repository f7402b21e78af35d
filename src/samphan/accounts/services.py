import datetime as dt

from django.db import transaction
from django.utils import timezone

from samphan.accounts.models import ApiToken, User, hash_token


@transaction.atomic
def token_create(*, user: User, name: str = "", expires_in_days: int | None = None) -> str:
    """Create a token for ``user`` and return it; only its hash is kept."""
    raw = ApiToken.generate()
    expires_at = timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    ApiToken.objects.create(
        user=user, name=name, key_hash=hash_token(raw), hint=raw[:8], expires_at=expires_at
    )
    return raw


def token_authenticate(raw: str) -> User | None:
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(key_hash=hash_token(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Touch last_used_at at most once a minute so reads stay reads.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def user_preferences_update(*, user: User, language: str, buddhist_era: bool) -> User:
    user.language = language
    user.buddhist_era = buddhist_era
    user.save(update_fields=["language", "buddhist_era"])
    return user
