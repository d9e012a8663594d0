"""Shared document layout helpers (Decree 30/2020/NĐ-CP); the app itself is owned elsewhere."""
