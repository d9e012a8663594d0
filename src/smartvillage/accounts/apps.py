from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "smartvillage.accounts"
    label = "accounts"
    verbose_name = "Tài khoản và vai trò"
