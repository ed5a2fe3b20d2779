"""First-run set-up for `make run`: demo content into an empty database, the admin account,
passwords for the demo editor, moderator and grid worker, each printed once, and the default
site's address set to where the portal is served, so links in mails and SMS lead there."""

import os
import secrets
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from wagtail.models import Site

from alliance.models import Community
from demo.points import CARD_HOLDER, CLERK, RESIDENT, give_card_pin
from demo.staff import GRID_NAME, give_passwords
from portal.addresses import site_url

ADMIN_USERNAME = "admin"
# The first administrator has a name like everyone else, shown wherever they act in the admin.
ADMIN_NAME = {"last_name": "陈", "first_name": "立新"}


class Command(BaseCommand):
    help = "Load demo content into an empty database, create the admin once, give the demo staff passwords."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            help="Where the portal is served: becomes the default site's address. Without it the site keeps its own.",
        )

    def handle(self, *args, url, **options):
        if not Community.objects.exists():
            self.stdout.write("数据库为空，正在载入演示内容……")
            call_command("load_demo_content", stdout=self.stdout)
        self.create_admin()
        if url:
            self.site_address(url)
        url = (url or site_url()).rstrip("/") + "/"
        given = give_passwords(os.environ.get("SHANGJU_DEMO_PASSWORD"))
        if given:
            self.stdout.write(self.style.SUCCESS("演示用工作人员账号（密码只显示这一次，请记下）："))
            for spec, password in given:
                self.stdout.write(f"  {spec.username:<10} {password:<14} {spec.role}")
            self.stdout.write(
                f"  moderator 是幸福里社区的社区审核人，worker 负责幸福里社区{GRID_NAME}；演示工单都在这里。"
            )
        self.residents(url)
        self.stdout.write(f"门户网站：{url}")
        self.stdout.write(f"管理后台：{url}admin/")

    def residents(self, url):
        self.stdout.write(self.style.SUCCESS(f"演示居民和商户账号（在 {url}my/ 用手机号登录，验证码打印在本窗口）："))
        for spec in (RESIDENT, CLERK):
            self.stdout.write(f"  {spec.mobile}  {spec.name}  {spec.role}")
        given = give_card_pin(os.environ.get("SHANGJU_DEMO_CARD_PIN"))
        if given:
            card, pin = given
            self.stdout.write(
                f"  积分卡 {card.display_number}  密码 {pin}（只显示这一次）  {CARD_HOLDER.name}  {CARD_HOLDER.role}，"
                "店员在收积分页用积分卡抵扣"
            )

    def site_address(self, url):
        """The default Wagtail Site at `url`: page links and, without WAGTAILADMIN_BASE_URL, mail links."""
        parts = urlsplit(url)
        secure = parts.scheme == "https"
        port = parts.port or (443 if secure else 80)
        site = Site.objects.filter(is_default_site=True).first()
        if site is not None and (site.hostname, site.port) != (parts.hostname, port):
            site.hostname, site.port = parts.hostname, port
            site.save(update_fields=["hostname", "port"])
            self.stdout.write(f"站点地址已设为 {site.root_url}/（邮件和短信里的链接指向这里）")

    def create_admin(self):
        User = get_user_model()
        if User.objects.filter(username=ADMIN_USERNAME).exists():
            return
        password = os.environ.get("SHANGJU_ADMIN_PASSWORD")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        admin = User.objects.create_superuser(ADMIN_USERNAME, email="", password=password, **ADMIN_NAME)
        self.stdout.write(self.style.SUCCESS(f"已创建管理员账号 {ADMIN_USERNAME}（{admin.get_full_name()}）"))
        if generated:
            # Printed this once only; it is not stored anywhere in plain text.
            self.stdout.write(self.style.WARNING(f"管理员密码（只显示这一次，请记下）：{password}"))
