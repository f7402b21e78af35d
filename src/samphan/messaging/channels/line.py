"""LINE push messages through the Messaging API (``line-bot-sdk``; the API's address is
a setting, so tests point it at a server on loopback). The message's key goes as
``X-Line-Retry-Key``: LINE accepts a key once and answers 409 to a repeat, which is
therefore a message already delivered."""

import urllib3
from django.conf import settings
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    PushMessageRequest,
    TextMessage,
)

from samphan.messaging.channels.base import Outcome
from samphan.messaging.models import Message


class LineSender:
    def __init__(self) -> None:
        self.client: ApiClient | None = None

    def send(self, message: Message) -> Outcome:
        if not settings.SAMPHAN_LINE_ACCESS_TOKEN:
            return Outcome.temporary("LINE not configured (SAMPHAN_LINE_ACCESS_TOKEN)")
        if self.client is None:
            configuration = Configuration(
                host=settings.SAMPHAN_LINE_API_URL,
                access_token=settings.SAMPHAN_LINE_ACCESS_TOKEN,
            )
            self.client = ApiClient(configuration)
        request = PushMessageRequest(to=message.to, messages=[TextMessage(text=message.text)])
        try:
            MessagingApi(self.client).push_message(
                request, x_line_retry_key=str(message.key), _request_timeout=10
            )
        except ApiException as error:
            detail = f"LINE {error.status} {(error.body or '')[:200]}"
            if error.status == 409:  # this retry key was accepted before
                return Outcome.sent(delivered=True)
            if error.status == 429 or (error.status or 500) >= 500:
                return Outcome.temporary(detail)
            return Outcome.permanent(detail)
        except (OSError, urllib3.exceptions.HTTPError) as error:  # no server, a timeout
            return Outcome.temporary(f"LINE: {error}")
        return Outcome.sent(delivered=True)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
