"""First-run set-up for `make run`: demo content into an empty database and an admin account."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from alliance.models import Community

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = "Load demo content when the database is empty and create the admin account once."

    def handle(self, *args, **options):
        if not Community.objects.exists():
            self.stdout.write("数据库为空，正在载入演示内容……")
            call_command("load_demo_content", stdout=self.stdout)
        User = get_user_model()
        if User.objects.filter(username=ADMIN_USERNAME).exists():
            return
        password = os.environ.get("SHANGJU_ADMIN_PASSWORD")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        User.objects.create_superuser(ADMIN_USERNAME, email="", password=password)
        self.stdout.write(self.style.SUCCESS(f"已创建管理员账号 {ADMIN_USERNAME}"))
        if generated:
            # Printed this once only; it is not stored anywhere in plain text.
            self.stdout.write(self.style.WARNING(f"管理员密码（只显示这一次，请记下）：{password}"))
        self.stdout.write("后台地址：http://127.0.0.1:8000/admin/")
