"""The public URL map (ARCHITECTURE.md): this module only wires each app's views to their addresses."""

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from accounts import views as accounts_views
from alliance import views as alliance_views
from bulletins.feeds import NewsAtomFeed, NewsRssFeed
from casework import open311
from evaluation import views as evaluation_views
from forms.apply import views as apply_views
from forms.report import views as report_views
from home import views as home_views
from points import views as points_views

from . import views as portal_views
from .httpcache import conditional

# A database outage gets a friendly 503 with Retry-After instead of the generic 500.
handler500 = "portal.views.server_error_or_unavailable"

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", home_views.search, name="search"),
    path("merchants/", alliance_views.merchant_directory, name="merchant_directory"),
    path("merchants/<int:pk>/", alliance_views.merchant_detail, name="merchant_detail"),
    # Feeds, calendars and the sitemap answer 304 while content is unchanged (portal/httpcache.py).
    path("feeds/news/", conditional(NewsRssFeed()), name="news_feed"),
    path("feeds/news/atom/", conditional(NewsAtomFeed()), name="news_feed_atom"),
    path("sitemap.xml", conditional(sitemap), name="sitemap"),
    path("report/", report_views.ReportWizard.as_view(), name="report"),
    path("report/thanks/", report_views.report_thanks, name="report_thanks"),
    path("apply/", apply_views.ApplyWizard.as_view(), name="apply"),
    path("apply/thanks/", apply_views.apply_thanks, name="apply_thanks"),
    path("apply/status/<str:secret>/", apply_views.apply_status, name="apply_status"),
    path("apply/amend/<str:secret>/", apply_views.apply_amend, name="apply_amend"),
    path("apply/application/<str:reference>/", apply_views.application_status, name="apply_application"),
    path("apply/application/<str:reference>/amend/", apply_views.application_amend, name="apply_application_amend"),
    path("track/", report_views.track, name="track"),
    path("track/link/<str:secret>/", report_views.track_private, name="track_private"),
    path("track/<str:reference>/", report_views.track_report, name="track_report"),
    path("my/", accounts_views.my_view, name="my"),
    path("my/sign-in/", accounts_views.sign_in_view, name="sign_in"),
    path("my/sign-in/code/", accounts_views.sign_in_code_view, name="sign_in_code"),
    path("my/sign-out/", accounts_views.sign_out_view, name="sign_out"),
    path("my/name/", accounts_views.my_name_view, name="my_name"),
    path("my/close/", accounts_views.my_close_view, name="my_close"),
    path("my/mobile/", accounts_views.my_mobile_view, name="my_mobile"),
    path("my/mobile/code/", accounts_views.my_mobile_code_view, name="my_mobile_code"),
    path("my/cases/<str:reference>/", report_views.track_mine, name="track_mine"),
    path("my/points/", points_views.my_movements, name="points_movements"),
    path("my/points/spend/", points_views.spend, name="points_spend"),
    path("my/activities/<int:pk>/sign-up/", points_views.sign_up, name="points_sign_up"),
    path("my/activities/<int:pk>/cancel/", points_views.cancel_sign_up, name="points_cancel"),
    path("my/desk/", points_views.desk_home, name="points_desk_home"),
    path("my/desk/<int:merchant_pk>/", points_views.desk, name="points_desk"),
    path("my/desk/<int:merchant_pk>/statement/<str:month>.xlsx", points_views.desk_statement, name="points_statement"),
    path("points/", points_views.publicity, name="points_publicity"),
    path("my/evaluation/<int:pk>/", evaluation_views.my_round, name="evaluation_my_round"),
    path("my/evaluation/<int:pk>/<int:merchant_pk>/", evaluation_views.my_sheet, name="evaluation_my_sheet"),
    path("evaluation/<int:pk>/", evaluation_views.result, name="evaluation_result"),
    re_path(r"^open311/discovery(?:\.(?P<fmt>json|xml))?$", open311.discovery, name="open311_discovery"),
    re_path(r"^open311/v2/services(?:\.(?P<fmt>json|xml))?$", open311.services, name="open311_services"),
    re_path(
        r"^open311/v2/services/(?P<service_code>[^/]*?)(?:\.(?P<fmt>json|xml))?$",
        open311.service_definition,
        name="open311_service",
    ),
    re_path(r"^open311/v2/requests(?:\.(?P<fmt>json|xml))?$", open311.requests_view, name="open311_requests"),
    re_path(
        r"^open311/v2/requests/(?P<service_request_id>[^/]*?)(?:\.(?P<fmt>json|xml))?$",
        open311.request_view,
        name="open311_request",
    ),
    re_path(r"^open311/(?P<rest>.*?)(?:\.(?P<fmt>json|xml))?$", open311.not_found, name="open311_not_found"),
    path("robots.txt", home_views.robots_txt, name="robots_txt"),
    path("healthz/", portal_views.healthz, name="healthz"),
    path("text-size/", home_views.text_size, name="text_size"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    # Wagtail's catch-all only takes slash-ended slugs; the notice calendars end in .ics.
    re_path(r"^((?:[\w\-]+/)+[\w\-]+\.ics)$", wagtail_views.serve, name="wagtail_serve_ics"),
    path("", include(wagtail_urls)),
]
