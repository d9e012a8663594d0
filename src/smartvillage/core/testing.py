"""Factories and the named test world shared by every app's tests.

The world: province "Tỉnh Thử" > district > commune "Xã An" with villages "Thôn Một", "Thôn Hai";
commune "Xã Bình" with "Thôn Ba". Named users per role, as in healthchecks' hc/test.py:
alice (village head of Thôn Một), bob (village head of Thôn Hai), carol (commune officer of Xã An),
dave (commune leader of Xã An), erin (appraiser of the province), mallory (village head of Thôn Ba),
root (system admin).

build_reform(world) adds the 01/07/2025 scheme on top: province "Tỉnh Thử Mới" (2025) took over
"Tỉnh Thử"; commune "Xã An Bình" (2025) is the main successor of "Xã An", and also got a part of
"Xã Bình" (a split, not its main successor); "Xã Bình Mới" (2025) is the main successor of
"Xã Bình". grace is commune officer of Xã An Bình, heidi of Xã Bình Mới, ivan appraiser of the
2025 province.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import factory
from django.contrib.auth.models import User

from smartvillage.accounts.models import Role, RoleAssignment
from smartvillage.registry.models import Household, Person, Relationship, Sex
from smartvillage.units.models import AdminUnit, Level, Scheme, UnitSuccession, UnitType
from smartvillage.units.services import create_unit

PASSWORD = "mat-khau-thu-123"


def make_unit(
    name: str,
    level: str,
    unit_type: str,
    parent: AdminUnit | None = None,
    code: str | None = None,
    scheme: str = Scheme.PRE_2025,
    **extra: object,
) -> AdminUnit:
    return create_unit(
        parent=parent,
        level=level,
        unit_type=unit_type,
        name=name,
        code=code or f"T{AdminUnit.objects.count() + 1:05d}",
        scheme=scheme if level != Level.VILLAGE else Scheme.LOCAL,
        data_version="test",
        **extra,
    )


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    code = factory.Sequence(lambda n: f"H{n:04d}")
    head_name = factory.Sequence(lambda n: f"Nguyễn Văn Chủ {n}")
    address = "Xóm Giữa"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    household = factory.SubFactory(HouseholdFactory)
    village = factory.LazyAttribute(lambda o: o.household.village)
    full_name = factory.Sequence(lambda n: f"Trần Thị Người {n}")
    birth_date = dt.date(1990, 6, 15)
    sex = Sex.FEMALE
    relationship = Relationship.OTHER


@dataclass
class World:
    province: AdminUnit
    district: AdminUnit
    commune: AdminUnit
    village1: AdminUnit
    village2: AdminUnit
    commune2: AdminUnit
    village3: AdminUnit
    alice: User
    bob: User
    carol: User
    dave: User
    erin: User
    mallory: User
    root: User


def make_user(
    username: str, role: str | None = None, unit: AdminUnit | None = None, **extra: object
) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    if role is not None:
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


def build_world() -> World:
    province = make_unit("Tỉnh Thử", Level.PROVINCE, UnitType.TINH, code="99")
    district = make_unit("Huyện Thử", Level.DISTRICT, UnitType.HUYEN, province, code="999")
    commune = make_unit("Xã An", Level.COMMUNE, UnitType.XA, district, code="99901")
    commune2 = make_unit("Xã Bình", Level.COMMUNE, UnitType.XA, district, code="99902")
    village1 = make_unit("Thôn Một", Level.VILLAGE, UnitType.THON, commune, code="99901-T001")
    village2 = make_unit("Thôn Hai", Level.VILLAGE, UnitType.THON, commune, code="99901-T002")
    village3 = make_unit("Thôn Ba", Level.VILLAGE, UnitType.THON, commune2, code="99902-T001")
    return World(
        province=province,
        district=district,
        commune=commune,
        village1=village1,
        village2=village2,
        commune2=commune2,
        village3=village3,
        alice=make_user("alice", Role.VILLAGE_HEAD, village1),
        bob=make_user("bob", Role.VILLAGE_HEAD, village2),
        carol=make_user("carol", Role.COMMUNE_OFFICER, commune),
        dave=make_user("dave", Role.COMMUNE_LEADER, commune),
        erin=make_user("erin", Role.APPRAISER, province),
        mallory=make_user("mallory", Role.VILLAGE_HEAD, village3),
        root=make_user("root", Role.SYSTEM_ADMIN, None, is_staff=True),
    )


@dataclass
class Reform:
    province: AdminUnit
    commune: AdminUnit
    commune2: AdminUnit
    grace: User
    heidi: User
    ivan: User


def build_reform(world: World) -> Reform:
    """The 2025 units and their succession links over the world (see the module docstring)."""
    new = dict(scheme=Scheme.FROM_2025)
    province = make_unit("Tỉnh Thử Mới", Level.PROVINCE, UnitType.TINH, code="98", **new)
    commune = make_unit("Xã An Bình", Level.COMMUNE, UnitType.XA, province, code="98001", **new)
    commune2 = make_unit("Xã Bình Mới", Level.COMMUNE, UnitType.XA, province, code="98002", **new)
    day = dt.date(2025, 7, 1)
    for old, successor, main in (
        (world.province, province, True),
        (world.commune, commune, True),
        (world.commune2, commune2, True),
        (world.commune2, commune, False),
    ):
        UnitSuccession.objects.create(
            old=old, new=successor, is_default=main, effective_date=day, data_version="test"
        )
    return Reform(
        province=province,
        commune=commune,
        commune2=commune2,
        grace=make_user("grace", Role.COMMUNE_OFFICER, commune),
        heidi=make_user("heidi", Role.COMMUNE_OFFICER, commune2),
        ivan=make_user("ivan", Role.APPRAISER, province),
    )
