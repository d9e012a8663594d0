"""Passwords are stored with Argon2 (the project's settings, not the fast hasher the other tests
use), and an older PBKDF2 hash is upgraded to Argon2 at the next login."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.urls import reverse


@pytest.fixture
def project_hashers(settings):
    # conftest.py swaps in MD5 for speed; put back what smartvillage.settings says.
    project = importlib.import_module("smartvillage.settings")
    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS
    return project.PASSWORD_HASHERS


def test_argon2_is_the_configured_hasher(project_hashers):
    assert project_hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_stored_hash_is_argon2_and_login_works(client, db, project_hashers):
    user = User.objects.create_user("hash.test", password="mat-khau-rat-dai-1")
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert "mat-khau-rat-dai-1" not in user.password
    assert user.check_password("mat-khau-rat-dai-1") and not user.check_password("sai")
    response = client.post(
        reverse("core:login"), {"username": "hash.test", "password": "mat-khau-rat-dai-1"}
    )
    assert response.status_code == 302


def test_older_pbkdf2_hash_is_upgraded_at_login(client, db, project_hashers):
    legacy = make_password("mat-khau-cu-12345", hasher="pbkdf2_sha256")
    user = User.objects.create(username="cu", password=legacy)
    assert user.password.startswith("pbkdf2_sha256$")
    response = client.post(
        reverse("core:login"), {"username": "cu", "password": "mat-khau-cu-12345"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
