"""Crash consistency, Jepsen-style: a writer goes through the real HTTP API while the embedded
database is killed with kill -9 at random moments; the recorded history is then checked.

- every acknowledged patient registration is present;
- a referral's status and its service's free places change together or not at all;
- each referral's final status is its last acknowledged one, or a later attempt's;
- graphsvc reconnects by itself (the checks go through the same running app).
GRAPHSVC_CRASH_CYCLES sets the number of kills (`make soak` runs 200).
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from pathlib import Path

import httpx2

from graphsvc.store import Store

CYCLES = int(os.environ.get("GRAPHSVC_CRASH_CYCLES", "20"))
SERVICE, CAPACITY, AVAILABLE = "a-home", 20, 5  # from tests/fixtures/tiny
OPEN_STATUSES = {"ACCEPTED", "ACTIVE"}


class History:
    """What the writer asked for and what was acknowledged."""

    def __init__(self) -> None:
        self.patients: list[str] = []
        self.referrals: dict[str, list[tuple[str, bool]]] = {}

    def acknowledged_status(self, referral: str) -> tuple[str, set[str]]:
        """The last acknowledged status, and the statuses of later unacknowledged tries."""
        attempts = self.referrals[referral]
        last = max(i for i, (_, ok) in enumerate(attempts) if ok)
        return attempts[last][0], {status for status, _ in attempts[last + 1 :]}


def ask(client: httpx2.Client, url: str, query: str, **variables: object) -> dict | None:
    """The data of an acknowledged request, or None (database down: not acknowledged)."""
    try:
        response = client.post(url, json={"query": query, "variables": variables})
    except httpx2.TransportError:
        return None
    assert response.status_code in (200, 503), response.text  # never a 500
    body = response.json()
    if response.status_code == 503 or body.get("errors"):
        assert "Traceback" not in response.text
        return None
    return body["data"]


REGISTER = """mutation($id: String!) { registerPatient(patient: {externalId: $id, zoneId: "north",
    needs: [{code: "wound-care"}], caseManagerId: "nurses-a"}) { id } }"""
ACTIVATE = (
    """mutation($p: ID!) { activatePartners(patientId: $p, serviceIds: ["a-home"]) { id } }"""
)
MOVE = "mutation($r: ID!, $s: ReferralStatus!) { updateReferral(id: $r, status: $s) { status } }"
LIFECYCLE = ["SENT", "ACCEPTED", "ACTIVE", "CLOSED"]


def killer(folder: Path, stop: threading.Event, kills: list[int]) -> None:
    rng = random.Random(7)
    while len(kills) < CYCLES and not stop.is_set():
        time.sleep(rng.uniform(0.2, 0.6))  # restarts take ~0.1 s: leave room for work
        try:
            pid = int((folder / "falkordb.pid").read_text())
            os.kill(pid, signal.SIGKILL)
            kills.append(pid)
        except (OSError, ValueError):
            continue  # between a death and the restart
        time.sleep(0.05)


def test_acknowledged_writes_survive_kill_9(served_tiny: tuple[str, Store, Path]) -> None:
    url, store, folder = served_tiny
    history, stop, kills = History(), threading.Event(), []
    chaos = threading.Thread(target=killer, args=(folder, stop, kills))
    chaos.start()
    with httpx2.Client(timeout=30) as client:
        number = 0
        while chaos.is_alive():
            number += 1
            data = ask(client, url, REGISTER, id=f"crash-{number}")
            if data is None:
                continue
            patient = data["registerPatient"]["id"]
            history.patients.append(patient)
            made = ask(client, url, ACTIVATE, p=patient)
            if made is None:
                continue
            referral = made["activatePartners"][0]["id"]
            history.referrals[referral] = [("PROPOSED", True)]
            for status in LIFECYCLE[: number % 5]:
                done = ask(client, url, MOVE, r=referral, s=status)
                history.referrals[referral].append((status, done is not None))
                if done is None:
                    break
        stop.set()
        chaos.join()
        assert len(kills) == CYCLES
        check(client, url, store, history)


def check(client: httpx2.Client, url: str, store: Store, history: History) -> None:
    deadline = time.monotonic() + 30
    while ask(client, url, "{ zones { id } }") is None:  # reconnects by itself
        assert time.monotonic() < deadline, "graphsvc did not reconnect"
        time.sleep(0.1)
    nodes = store.run("list_node_dump")
    patients = {n["props"]["id"] for n in nodes if n["label"] == "Patient"}
    assert set(history.patients) <= patients, "an acknowledged registration was lost"
    referrals = {n["props"]["id"]: n["props"]["status"].upper() for n in nodes
                 if n["label"] == "Referral"}  # fmt: skip
    for referral, attempts in history.referrals.items():
        last, later = history.acknowledged_status(referral)
        assert referrals[referral] in {last} | later, (referral, attempts, referrals[referral])
    service = next(n["props"] for n in nodes if n["props"].get("id") == SERVICE)
    holding = sum(1 for status in referrals.values() if status in OPEN_STATUSES)
    assert service["available"] == AVAILABLE - holding, "a capacity change was half-applied"
    assert len(history.patients) > CYCLES  # the writer made progress between the kills
