"""Users, passwords, the login throttle and API tokens (renovation.domain.accounts)."""
import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from renovation.domain import accounts, login_throttle
from renovation.domain.accounts import AccountError, authenticate
from renovation.domain.clock import utcnow
from renovation.extensions import db
from renovation.models import ApiToken, AuditEntry, LoginThrottle, User
from tests.conftest import PASSWORD, count_statements, make_area, make_user

WRONG = "wrong-password"


HERE = "10.0.0.7"
ELSEWHERE = "10.0.9.9"


def fail(times, username="engineer", address=HERE):
    return [authenticate(username, WRONG, address) for _ in range(times)]


def stored_user(username="engineer"):
    """The user as saved, not as cached in the session."""
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


def later(monkeypatch, **delta):
    """Move the throttle's clock forward."""
    moment = utcnow() + timedelta(**delta)
    monkeypatch.setattr(login_throttle, "utcnow", lambda: moment)


# --- logging in ----------------------------------------------------------------------------

def test_right_password_logs_in(engineer):
    result = authenticate("engineer", PASSWORD, HERE)
    assert result.user is not None and result.user.id == engineer.id
    assert result.blocked_until is None
    assert stored_user().last_login_at is not None


def test_username_is_trimmed(engineer):
    assert authenticate("  engineer ", PASSWORD, HERE).user.id == engineer.id


@pytest.mark.parametrize("username, password", [
    ("engineer", WRONG), ("engineer", ""), ("engineer", PASSWORD.upper()), ("nobody", PASSWORD),
])
def test_wrong_credentials_are_refused(engineer, username, password):
    result = authenticate(username, password, HERE)
    assert result.user is None and result.blocked_until is None


def test_a_disabled_user_cannot_log_in(engineer):
    accounts.set_active(engineer, False, actor=None)
    db.session.commit()
    result = authenticate("engineer", PASSWORD, HERE)
    assert result.user is None and result.blocked_until is None


def test_disabling_ends_the_user_sessions(engineer):
    session_id = engineer.get_id()
    accounts.set_active(engineer, False, actor=None)
    db.session.commit()
    assert stored_user().get_id() != session_id
    accounts.set_active(engineer, True, actor=None)
    db.session.commit()
    assert authenticate("engineer", PASSWORD, HERE).user is not None


# --- the throttle --------------------------------------------------------------------------

def test_five_failures_block_the_username_at_this_address_for_thirty_seconds(engineer):
    before = utcnow()
    results = fail(5)
    assert [r.blocked_until for r in results] == [None] * 5  # five passwords were checked
    refused = authenticate("engineer", PASSWORD, HERE)  # even the right one is not checked now
    assert refused.user is None
    assert before + timedelta(seconds=30) <= refused.blocked_until <= utcnow() + timedelta(seconds=30)


def test_a_blocked_attempt_checks_no_password(engineer, monkeypatch):
    fail(5)
    checks = []
    monkeypatch.setattr(accounts, "check_password_hash", lambda *args: checks.append(args) or True)
    assert authenticate("engineer", PASSWORD, HERE).blocked_until is not None
    assert checks == []


def test_the_delay_grows_with_every_further_failure(engineer, monkeypatch):
    fail(5)
    waits = []
    for minutes in (1, 3, 6, 11, 20, 40, 80):  # each time after the block ended
        later(monkeypatch, minutes=minutes)
        assert authenticate("engineer", WRONG, HERE).blocked_until is None  # one more check
        blocked_until = authenticate("engineer", WRONG, HERE).blocked_until
        waits.append(round((blocked_until - login_throttle.utcnow()).total_seconds()))
    assert waits == [60, 120, 240, 480, 900, 900, 900]  # doubling, at most fifteen minutes


def test_a_stranger_elsewhere_cannot_lock_the_user_out(engineer):
    fail(40, address=ELSEWHERE)  # blocks the stranger's pair and the stranger's address
    assert authenticate("engineer", PASSWORD, ELSEWHERE).blocked_until is not None
    assert authenticate("engineer", PASSWORD, HERE).user is not None  # the user at their own desk


def test_one_address_guessing_many_usernames_is_blocked(engineer):
    for number in range(30):
        assert fail(1, username=f"guess-{number}")[0].blocked_until is None
    assert authenticate("engineer", PASSWORD, HERE).blocked_until is not None  # the address is blocked
    assert authenticate("engineer", PASSWORD, ELSEWHERE).user is not None


def test_unknown_and_known_usernames_are_throttled_alike(engineer):
    assert [r.blocked_until is None for r in fail(6)] == [True] * 5 + [False]
    assert [r.blocked_until is None for r in fail(6, username="nobody")] == [True] * 5 + [False]


def test_a_success_resets_the_count(engineer):
    fail(4)
    assert authenticate("engineer", PASSWORD, HERE).user is not None
    assert [r.blocked_until for r in fail(4)] == [None] * 4
    assert authenticate("engineer", PASSWORD, HERE).user is not None


def test_the_block_ends_by_itself(engineer, monkeypatch):
    fail(5)
    later(monkeypatch, seconds=31)
    result = authenticate("engineer", PASSWORD, HERE)
    assert result.user is not None and result.blocked_until is None


def test_old_failures_are_forgotten(engineer, monkeypatch):
    fail(4)
    later(monkeypatch, minutes=61)
    assert [r.blocked_until for r in fail(4)] == [None] * 4  # not blocked after the first one


def test_stale_counters_are_swept_at_the_next_login(engineer, monkeypatch):
    fail(1, username="made-up-1")
    fail(1, username="made-up-2", address=ELSEWHERE)
    later(monkeypatch, minutes=76)
    fail(1, username="made-up-3")
    assert authenticate("engineer", PASSWORD, HERE).user is not None
    keys = db.session.scalars(sa.select(LoginThrottle.key).order_by(LoginThrottle.key)).all()
    assert keys == [f"addr:{HERE}", f"user:made-up-3@{HERE}"]


def test_case_of_the_username_makes_no_new_counter(engineer):
    fail(3, username="Engineer")
    fail(2, username=" ENGINEER")
    assert authenticate("engineer", PASSWORD, HERE).blocked_until is not None


def test_a_new_password_unblocks_and_ends_sessions(engineer):
    session_id = engineer.get_id()
    fail(5)
    accounts.set_password(engineer, "a-new-password", actor=None)
    db.session.commit()
    assert authenticate("engineer", "a-new-password", HERE).user is not None
    assert authenticate("engineer", PASSWORD, HERE).user is None
    assert stored_user().get_id() != session_id


def test_a_new_password_must_be_long_enough(engineer):
    with pytest.raises(AccountError) as raised:
        accounts.set_password(engineer, "short", actor=None)
    assert raised.value.field == "password"


# --- creating users ------------------------------------------------------------------------

def test_create_user_stores_a_hash_not_the_password(app):
    user = make_user("engineer2", "engineer")
    assert PASSWORD not in user.password_hash
    assert (user.role, user.community) == ("engineer", None)
    assert db.session.scalars(sa.select(AuditEntry.action)).all() == ["user.create"]


def test_duplicate_username_is_refused(engineer):
    with pytest.raises(AccountError) as raised:
        accounts.create_user(" engineer ", PASSWORD, "leader")
    assert raised.value.field == "username"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


@pytest.mark.parametrize("password, accepted",
                         [("", False), ("1234567", False), ("12345678", True)])
def test_password_has_at_least_eight_characters(app, password, accepted):
    if accepted:
        assert accounts.create_user("leader", password, "leader").id is not None
    else:
        with pytest.raises(AccountError) as raised:
            accounts.create_user("leader", password, "leader")
        assert raised.value.field == "password"


def test_committee_member_needs_a_community(app):
    with pytest.raises(AccountError) as raised:
        accounts.create_user("committee", PASSWORD, "committee")
    assert raised.value.field == "community"


def test_committee_member_belongs_to_their_community(app):
    community = make_area(community="铁路社区")
    user = accounts.create_user("committee", PASSWORD, "committee", community=community)
    db.session.commit()
    assert stored_user("committee").community.name == "铁路社区"
    assert user.role == "committee"


def test_only_committee_members_belong_to_a_community(app):
    community = make_area(community="铁路社区")
    accounts.create_user("leader", PASSWORD, "leader", community=community)
    db.session.commit()
    assert stored_user("leader").community is None


@pytest.mark.parametrize("username, role, field",
                         [("   ", "engineer", "username"), ("boss", "boss", "role")])
def test_blank_username_and_unknown_role_are_refused(app, username, role, field):
    with pytest.raises(AccountError) as raised:
        accounts.create_user(username, PASSWORD, role)
    assert raised.value.field == field


def test_unknown_community_name_is_refused(app):
    make_area(community="铁路社区")
    assert accounts.community_named("铁路社区").name == "铁路社区"
    assert accounts.community_named("") is None
    with pytest.raises(AccountError) as raised:
        accounts.community_named("火星社区")
    assert raised.value.field == "community"


# --- API tokens ----------------------------------------------------------------------------

def test_token_finds_its_user_and_only_its_hash_is_kept(engineer):
    token = accounts.create_token(engineer)
    db.session.commit()
    stored = db.session.scalars(sa.select(ApiToken)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.token_hash, str(stored.user_id)}
    assert accounts.user_for_token(token).id == engineer.id


def test_every_token_is_different(engineer):
    tokens = {accounts.create_token(engineer) for _ in range(3)}
    db.session.commit()
    assert len(tokens) == 3
    assert all(accounts.user_for_token(token).id == engineer.id for token in tokens)


@pytest.mark.parametrize("guess", ["", "rnv_", "rnv_not-a-token"])
def test_unknown_token_finds_nobody(engineer, guess):
    accounts.create_token(engineer)
    db.session.commit()
    assert accounts.user_for_token(guess) is None


def test_hash_of_a_token_is_not_a_token(engineer):
    token = accounts.create_token(engineer)
    db.session.commit()
    assert accounts.user_for_token(hashlib.sha256(token.encode()).hexdigest()) is None


def test_revoked_token_finds_nobody(engineer):
    token = accounts.create_token(engineer)
    db.session.commit()
    accounts.revoke_token(db.session.scalars(sa.select(ApiToken)).one(), engineer)
    db.session.commit()
    assert accounts.user_for_token(token) is None
    assert db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()[-1] == "token.revoke"


def test_token_keeps_its_name_scope_and_expiry(engineer):
    accounts.create_token(engineer, name="数据大屏", scope="read", expires_in_days=30)
    db.session.commit()
    stored = db.session.scalars(sa.select(ApiToken)).one()
    assert (stored.name, stored.scope, stored.revoked_at, stored.last_used_at) == ("数据大屏", "read", None, None)
    assert timedelta(days=29, hours=23) < stored.expires_at - utcnow() <= timedelta(days=30)


@pytest.mark.parametrize("kwargs, field", [({"scope": "admin"}, "scope"), ({"expires_in_days": -1}, "expires"),
                                           ({"name": "x" * 65}, "name")])
def test_bad_token_settings_are_refused(engineer, kwargs, field):
    with pytest.raises(AccountError) as raised:
        accounts.create_token(engineer, **kwargs)
    assert raised.value.field == field


def test_expired_token_finds_nobody(engineer):
    token = accounts.create_token(engineer, expires_in_days=1)
    db.session.commit()
    assert accounts.user_for_token(token).id == engineer.id
    db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert accounts.user_for_token(token) is None


@pytest.mark.parametrize("change", ["password", "disable"])
def test_a_new_password_or_a_disabled_account_revokes_every_token(engineer, change):
    tokens = [accounts.create_token(engineer, name=f"t{n}") for n in range(2)]
    colleague = make_user("colleague", "engineer")
    other = accounts.create_token(colleague)
    db.session.commit()
    if change == "password":
        accounts.set_password(engineer, "a-new-password", actor=None)
    else:
        accounts.set_active(engineer, False, actor=None)
        db.session.commit()
        accounts.set_active(engineer, True, actor=None)  # enabling again does not bring them back
    db.session.commit()
    assert [accounts.user_for_token(token) for token in tokens] == [None, None]
    assert all(token.revoked_at is not None for token in accounts.tokens_of(engineer))
    assert accounts.user_for_token(other).id == colleague.id


def test_last_use_is_written_at_most_once_a_minute(engineer, monkeypatch):
    accounts.create_token(engineer)
    db.session.commit()
    stored = db.session.scalars(sa.select(ApiToken)).one()
    with count_statements() as statements:
        accounts.note_token_use(stored)
        db.session.expire_all()
        assert db.session.scalars(sa.select(ApiToken)).one().last_used_at is not None
        for _ in range(5):
            accounts.note_token_use(db.session.scalars(sa.select(ApiToken)).one())
        assert len([s for s in statements if s.startswith("UPDATE")]) == 1
        moment = utcnow() + timedelta(minutes=1, seconds=1)
        monkeypatch.setattr(accounts, "utcnow", lambda: moment)
        accounts.note_token_use(db.session.scalars(sa.select(ApiToken)).one())
        db.session.expire_all()
        assert db.session.scalars(sa.select(ApiToken)).one().last_used_at == moment
        assert len([s for s in statements if s.startswith("UPDATE")]) == 2


def test_token_of_a_disabled_user_finds_nobody(engineer):
    token = accounts.create_token(engineer)
    accounts.set_active(engineer, False, actor=None)
    db.session.commit()
    assert accounts.user_for_token(token) is None


def test_unknown_username_costs_one_hash_check_like_a_real_user(app, monkeypatch):
    """Timing must not reveal which usernames exist: one password check either way, no hashing."""
    from renovation.domain import accounts as module

    make_user("real-user")
    calls = {"hash": 0}
    real_generate = module.generate_password_hash
    module.authenticate("warm-up", "x", HERE)  # the dummy hash is made once per app

    def counting_generate(*args, **kwargs):
        calls["hash"] += 1
        return real_generate(*args, **kwargs)

    monkeypatch.setattr(module, "generate_password_hash", counting_generate)
    module.authenticate("nobody-here", "wrong-password", HERE)
    assert calls["hash"] == 0
