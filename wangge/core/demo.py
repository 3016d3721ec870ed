"""Demo accounts, one per role. They exist only with demo data; production refuses them."""

from __future__ import annotations

from typing import TextIO

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from wangge.core import services
from wangge.core.models import User
from wangge.core.roles import Role

# (username, full name, role, scope region name, department)
DEMO_ACCOUNTS = [
    ("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, "咸安区", ""),
    ("secadmin", "安全管理员", Role.SECURITY_ADMIN, None, ""),
    ("auditor", "安全审计员", Role.AUDITOR, None, ""),
    ("street", "王建华", Role.STREET_SUPERVISOR, "永安街道", ""),
    ("staff", "殷桂芳", Role.COMMUNITY_STAFF, "三元社区", ""),
    ("grid8", "刘平珍", Role.GRID_WORKER, "第八网格", ""),
    ("handler", "赵志勇", Role.DEPARTMENT_HANDLER, "永安街道", "城管"),
    # one handler for each department the case catalogue routes to, so a dispatch reaches someone
    ("renshe", "周文斌", Role.DEPARTMENT_HANDLER, "永安街道", "人社"),
    ("police", "吴国强", Role.DEPARTMENT_HANDLER, "永安街道", "派出所"),
    ("zhujian", "郑海波", Role.DEPARTMENT_HANDLER, "永安街道", "住建"),
    ("shuiwu", "孙立平", Role.DEPARTMENT_HANDLER, "永安街道", "水务"),
    ("minzheng", "钱秀兰", Role.DEPARTMENT_HANDLER, "永安街道", "民政"),
    ("weijian", "冯丽华", Role.DEPARTMENT_HANDLER, "永安街道", "卫健"),
    ("ranqi", "陈志刚", Role.DEPARTMENT_HANDLER, "永安街道", "燃气公司"),
    ("volunteer", "李金枝", Role.VOLUNTEER, "第九网格", ""),  # lives in 兴旺小区 (seed 002)
    ("resident", "陈师傅", Role.RESIDENT, "第八网格", ""),  # 刘平珍's grid (seed 002)
]

# The admin roles require two-factor authentication; their demo authenticator keys are fixed
# and published in the README (they are demo accounts: production refuses to start with them).
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238 test key, base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ


def load(*, stdout: TextIO) -> None:
    """The accounts; the regions' demo (loaded next) gives each its scope."""
    created = 0
    for username, full_name, role, _scope_name, department in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = services.user_create(
                actor=None,
                username=username,
                password=settings.WANGGE_DEMO_PASSWORD,
                full_name=full_name,
                department=department,
                roles={role},
                is_demo=True,
                must_change_password=False,
            )
            created += 1
        if user.needs_two_factor and not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(user=user, name="demo authenticator", key=DEMO_TOTP_KEY, confirmed=True)
    stdout.write(f"accounts: {created} demo accounts created ({len(DEMO_ACCOUNTS)} in all)\n")
