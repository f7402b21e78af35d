from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from samphan.accounts import views as account_views
from samphan.api.main import api
from samphan.core import shop_views
from samphan.core import views as core_views
from samphan.frontdesk import public as frontdesk_public
from samphan.home import metrics as home_metrics
from samphan.home import views as home_views
from samphan.loyalty import public as loyalty_public
from samphan.marketing import campaign_views
from samphan.messaging import hooks as messaging_hooks
from samphan.messaging import public as messaging_public
from samphan.sales.views import quotes as sales_quotes
from samphan.sales.views.leads import public_lead_form
from samphan.support import public as support_public
from samphan.support import views as support_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("customers/", include("samphan.customers.urls")),
    path("", include("samphan.privacy.access_urls")),  # customers/<pk>/access/
    path("sales/", include("samphan.sales.urls")),
    # Support's reports sit with the other insights (the menu's Insights stays lit).
    path("insights/support/", support_views.support_report, name="support_report"),
    path("insights/", include("samphan.analytics.urls")),
    path("frontdesk/", include("samphan.frontdesk.urls")),
    path("messages/", include("samphan.messaging.urls")),
    path("segments/", include("samphan.marketing.urls")),
    path("points/", include("samphan.loyalty.urls")),
    path("support/", include("samphan.support.urls")),
    path("privacy/", include("samphan.privacy.urls")),
    path("privacy/", include("samphan.privacy.request_urls")),
    path("privacy/", include("samphan.privacy.retention_urls")),
    path("p/lead/", public_lead_form, name="public_lead_form"),
    path("p/join/", frontdesk_public.sign_up, name="member_sign_up"),
    path("p/help/", support_public.help_form, name="support_help_form"),
    path("p/survey/<str:token>/", support_public.survey_answer, name="survey_answer"),
    path(
        "p/card/<str:token>.<str:kind>",
        frontdesk_public.member_card_public,
        name="member_card_public",
    ),
    path("p/m/<str:token>/", loyalty_public.member_page, name="member_page"),
    path("p/c/<str:signed>/", loyalty_public.member_card_page, name="member_card_page"),
    path("p/r/<str:code>/", loyalty_public.referral_join, name="referral_join"),
    path("p/unsubscribe/<str:token>/", messaging_public.unsubscribe, name="unsubscribe"),
    path("p/quote/<str:token>/", sales_quotes.quote_public_pdf, name="quote_public_pdf"),
    path(
        "p/preferences/<str:token>/",
        messaging_public.preferences,
        name="message_preferences",
    ),
    path("t/o/<str:token>/", campaign_views.campaign_open, name="campaign_open"),
    path("t/c/<str:token>/<int:index>/", campaign_views.campaign_click, name="campaign_click"),
    path("hooks/line/", messaging_hooks.line_webhook, name="line_webhook"),
    path("hooks/sms/", messaging_hooks.sms_inbound, name="sms_inbound"),
    path("hooks/sms/status/", messaging_hooks.sms_status, name="sms_status"),
    path("hooks/email/bounce/", messaging_hooks.email_bounce, name="email_bounce"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("preferences/", account_views.preferences, name="preferences"),
    path("", include("samphan.accounts.urls")),  # users, API tokens, forgotten passwords
    path("settings/shop/", shop_views.shop_settings, name="shop_settings"),
    path("settings/export/", include("samphan.exports.urls")),
    path("p/logo/", shop_views.shop_logo, name="shop_logo"),
    path("audit/", core_views.audit_log, name="audit_log"),
    path("notifications/", core_views.notification_list, name="notifications"),
    path("notifications/badge/", core_views.notification_badge, name="notification_badge"),
    path("language/", account_views.language_switch, name="language_switch"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("metrics", home_metrics.metrics, name="metrics"),  # 404 unless SAMPHAN_METRICS=1
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "favicon.svg")),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", home_views.media, name="media"),
]
