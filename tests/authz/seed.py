"""The seeded world of the authorisation matrix: the roles, the objects every URL is probed with."""

import datetime
import io
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.admin.models import EditingSession
from wagtail.contrib.forms.models import FormSubmission
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents.models import Document
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    GroupApprovalTask,
    Page,
    Site,
    UploadedFile,
    Workflow,
)

from casework.models import CalendarDay, CaseCategory, CaseEvent, CasePhoto, Open311Client
from forms.models import Convention, QuestionnairePage
from tests import factories as f

# resident and clerk are signed in by SMS code (accounts/): a resident with points, and the clerk of
# w.merchant, who may use that shop's desk and no other.
ROLES = ("anonymous", "editor", "moderator", "worker_a", "worker_b", "resident", "clerk")
PUBLIC_ROLES = frozenset({"resident", "clerk"})


REPORTER_MOBILE = "13812345678"


MASKED_MOBILE = "138****5678"


def _jpeg():
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (10, 160, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


def build_world():

    w = SimpleNamespace()
    w.x, w.y = f.community(name="东门社区"), f.community(name="西门社区")
    w.grid_a, w.grid_b = f.grid(w.x, name="东一网格"), f.grid(w.x, name="东二网格")
    w.grid_y = f.grid(w.y, name="西一网格")
    w.editor = f.editor("authz_editor")
    w.moderator = f.community_moderator(w.x, username="authz_moderator")
    w.worker_a = f.grid_worker(w.grid_a, username="authz_worker_a")
    w.worker_b = f.grid_worker(w.grid_b, username="authz_worker_b")
    w.superuser = get_user_model().objects.create_superuser("authz_root", "root@example.cn", "correct horse battery")

    # Cases: one per grid; Y's case is outside every tested role's reach.
    w.case_a = f.case(w.grid_a, reference="SJ-20261122-7001", reporter_mobile=REPORTER_MOBILE, address="东一里 1 号")
    w.case_b = f.case(w.grid_b, reference="SJ-20261122-7002", reporter_mobile=REPORTER_MOBILE, address="东二里 2 号")
    w.case_y = f.case(w.grid_y, reference="SJ-20261122-7003", reporter_mobile=REPORTER_MOBILE, address="西一里 3 号")
    for case in (w.case_a, w.case_b, w.case_y):
        CaseEvent.objects.create(
            report=case, action="accept", from_state="submitted", to_state="submitted", note=f"内部说明{case.reference}"
        )
    w.photo_a = CasePhoto.objects.create(report=w.case_a, file=ContentFile(_jpeg(), name="a.jpg"))
    w.photo_b = CasePhoto.objects.create(report=w.case_b, file=ContentFile(_jpeg(), name="b.jpg"))
    w.photo_y = CasePhoto.objects.create(report=w.case_y, file=ContentFile(_jpeg(), name="y.jpg"))

    # Merchant applications in X and in Y, each with a private shop-front photo.
    w.application_x = f.application(grid_=w.grid_a, link_secret="authz-app-x", shop_name="东门包子铺")
    w.application_y = f.application(grid_=w.grid_y, link_secret="authz-app-y", shop_name="西门理发店")
    w.app_photo_x = w.application_x.photos.get()
    w.app_photo_y = w.application_y.photos.get()

    # Registry snippets and intake settings.
    w.merchant = f.merchant("东门面馆", community_=w.x, grid=w.grid_a, mobile="13900002222")
    w.convention = Convention.current() or f.convention()
    w.category = CaseCategory.objects.get(slug="noise")
    w.calendar_day = CalendarDay.objects.create(date=datetime.date(2026, 10, 11), is_workday=True, note="国庆调休")
    w.open311_client = Open311Client(name="区 12345 热线")
    w.open311_client.new_key()
    w.open311_client.save()

    # Pages: a published article with two revisions, a draft notice, a page in moderation, a questionnaire.
    w.home = f.home_page()
    w.news = f.news(title="东门联盟动态")
    w.news.title = "东门联盟动态（修订）"
    w.news_revision = w.news.save_revision(user=w.superuser)
    w.draft = f.draft_notice(title="草稿便民集市")
    w.standard = f.standard_page(title="关于东门")
    w.in_moderation = f.news(title="待审联盟动态", live=False)
    revision = w.in_moderation.save_revision(user=w.editor)
    workflow = w.in_moderation.get_workflow()
    w.workflow_state = workflow.start(w.in_moderation, w.editor)
    w.in_moderation.refresh_from_db()
    w.task_state = w.workflow_state.current_task_state
    assert w.task_state is not None and revision is not None
    w.workflow = Workflow.objects.get(name="公告审核")
    w.task = GroupApprovalTask.objects.get(name="审核组审批")
    w.task_count = GroupApprovalTask.objects.count()
    w.questionnaire = QuestionnairePage(title="解放路改造问卷", slug="survey")
    w.home.add_child(instance=w.questionnaire)
    w.questionnaire.save_revision().publish()
    w.submission = FormSubmission.objects.create(
        page=w.questionnaire, form_data={"suggestion": "希望增加停车位", "mobile": "13700003333"}
    )
    w.alias = w.standard.create_alias(update_slug="about-east-alias")
    w.restricted = f.standard_page(title="内部页面")
    w.page_restriction = f.restrict(w.restricted)

    # Media: public and restricted documents, an image, pending multiple-upload files.
    root = Collection.get_first_root_node()
    w.collection = root
    w.private_collection = root.add_child(name="内部资料")
    w.collection_restriction = CollectionViewRestriction.objects.create(
        collection=w.private_collection, restriction_type="password", password="secret"
    )
    w.document = Document.objects.create(
        title="商居公约全文", file=ContentFile(b"%PDF-1.4 public", name="convention.pdf")
    )
    w.private_document = Document.objects.create(
        title="内部名单", file=ContentFile(b"%PDF-1.4 private", name="internal.pdf"), collection=w.private_collection
    )
    w.image = f.image("东门门头")
    w.uploaded_image = UploadedFile.objects.create(
        for_content_type=ContentType.objects.get_for_model(w.image),
        file=ContentFile(_jpeg(), name="pending.jpg"),
        uploaded_by_user=w.editor,
    )
    w.uploaded_document = UploadedFile.objects.create(
        for_content_type=ContentType.objects.get_for_model(Document),
        file=ContentFile(b"%PDF-1.4 pending", name="pending.pdf"),
        uploaded_by_user=w.editor,
    )

    w.editing_session = EditingSession.objects.create(
        user=w.superuser,
        content_type=ContentType.objects.get_for_model(Page),
        object_id=str(w.news.pk),
        last_seen_at=timezone.now(),
    )
    w.redirect = Redirect.objects.create(old_path="/old-news", redirect_link="/news/")
    w.site = Site.objects.get(is_default_site=True)

    # Residents and shop staff (accounts/, points/): a volunteer notice with a session, a second shop.
    w.resident = f.person(name="东门居民", mobile="13700001111")
    w.issued = f.give_points(w.resident, 10)
    w.resident_account = w.issued.entries.get(amount__gt=0).account
    w.clerk = f.shop_staff(w.merchant, f.person(name="面馆店员", mobile="13700002222"))
    w.merchant_y = f.merchant("西门粮油", community_=w.y, grid=w.grid_y, accepts_volunteer_points=True)
    w.activity = f.activity(title="东门街道清扫")
    w.month = timezone.localdate().strftime("%Y-%m")
    # Evaluation: a round in scoring with 审核 scoring for the community and 编辑 for the chamber, and a
    # published one whose result is public.
    w.evaluation_round = f.evaluation_round(
        shops=[w.merchant], community_raters=[w.moderator], chamber_raters=[w.editor]
    )
    w.published_round = f.evaluation_round(title="2026年第四季度", shops=[w.merchant], state="published")

    w.group = Group.objects.get(name="编辑")
    w.users = {
        "resident": w.resident.user,
        "clerk": w.clerk.user,
        "editor": w.editor,
        "moderator": w.moderator,
        "worker_a": w.worker_a,
        "worker_b": w.worker_b,
        "superuser": w.superuser,
    }
    return w
