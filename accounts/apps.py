from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Residents' and shop staff's own accounts: sign-in by mobile and SMS code, the 我的 pages."""

    name = "accounts"
    verbose_name = "居民与商户账号"
