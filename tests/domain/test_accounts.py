"""Users, passwords, lock-out and API tokens (renovation.domain.accounts)."""
import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from renovation.domain import accounts
from renovation.domain.accounts import AccountError, authenticate
from renovation.domain.clock import utcnow
from renovation.extensions import db
from renovation.models import ApiToken, AuditEntry, User
from tests.conftest import PASSWORD, make_area, make_user

WRONG = "wrong-password"


def fail(times, username="engineer"):
    return [authenticate(username, WRONG) for _ in range(times)]


def stored_user(username="engineer"):
    """The user as saved, not as cached in the session."""
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


# --- logging in ----------------------------------------------------------------------------

def test_right_password_logs_in(engineer):
    result = authenticate("engineer", PASSWORD)
    assert result.user is not None and result.user.id == engineer.id
    assert result.locked_until is None
    assert stored_user().last_login_at is not None


def test_username_is_trimmed(engineer):
    assert authenticate("  engineer ", PASSWORD).user.id == engineer.id


@pytest.mark.parametrize("username, password", [
    ("engineer", WRONG), ("engineer", ""), ("engineer", PASSWORD.upper()), ("nobody", PASSWORD),
])
def test_wrong_credentials_are_refused(engineer, username, password):
    result = authenticate(username, password)
    assert result.user is None and result.locked_until is None


def test_five_failures_lock_the_username_for_fifteen_minutes(engineer):
    before = utcnow()
    results = fail(5)
    assert [r.locked_until is None for r in results] == [True, True, True, True, False]
    locked_until = results[-1].locked_until
    assert before + timedelta(minutes=15) <= locked_until <= utcnow() + timedelta(minutes=15)
    assert stored_user().locked_until == locked_until

    # Even the right password is refused while the lock lasts; the form can say until when.
    result = authenticate("engineer", PASSWORD)
    assert result.user is None and result.locked_until == locked_until
    locks = sa.select(AuditEntry.action).where(AuditEntry.action == "user.locked")
    assert db.session.scalars(locks).all() == ["user.locked"]


def test_the_lock_is_per_username(engineer):
    make_user("colleague", "engineer")
    fail(5)
    assert authenticate("colleague", PASSWORD).user is not None


def test_failures_while_locked_do_not_extend_the_lock(engineer):
    locked_until = fail(5)[-1].locked_until
    assert fail(3)[-1].locked_until == locked_until
    assert stored_user().locked_until == locked_until


def test_four_failures_do_not_lock(engineer):
    fail(4)
    assert authenticate("engineer", PASSWORD).user is not None


def test_a_success_resets_the_count(engineer):
    fail(4)
    assert authenticate("engineer", PASSWORD).user is not None
    assert [r.locked_until for r in fail(4)] == [None] * 4
    assert authenticate("engineer", PASSWORD).user is not None


def test_the_lock_expires(engineer):
    fail(5)
    # Fifteen minutes later: move the lock into the past, as the clock would.
    db.session.execute(sa.update(User).where(User.username == "engineer")
                       .values(locked_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    result = authenticate("engineer", PASSWORD)
    assert result.user is not None and result.locked_until is None
    assert stored_user().locked_until is None


def test_after_the_lock_expires_five_more_failures_lock_again(engineer):
    fail(5)
    db.session.execute(sa.update(User).values(locked_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert fail(1)[0].locked_until is None  # one more failure does not lock again at once
    assert fail(4)[-1].locked_until is not None


def test_a_disabled_user_cannot_log_in(engineer):
    accounts.set_active(engineer, False, actor=None)
    db.session.commit()
    result = authenticate("engineer", PASSWORD)
    assert result.user is None and result.locked_until is None


def test_disabling_ends_the_user_sessions(engineer):
    session_id = engineer.get_id()
    accounts.set_active(engineer, False, actor=None)
    db.session.commit()
    assert stored_user().get_id() != session_id
    accounts.set_active(engineer, True, actor=None)
    db.session.commit()
    assert authenticate("engineer", PASSWORD).user is not None


def test_a_new_password_unlocks_and_ends_sessions(engineer):
    session_id = engineer.get_id()
    fail(5)
    accounts.set_password(engineer, "a-new-password", actor=None)
    db.session.commit()
    assert authenticate("engineer", "a-new-password").user is not None
    assert authenticate("engineer", PASSWORD).user is None
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
    db.session.scalars(sa.select(ApiToken)).one().revoked = True
    db.session.commit()
    assert accounts.user_for_token(token) is None


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
    module.authenticate("warm-up", "x")  # the dummy hash is made once per app

    def counting_generate(*args, **kwargs):
        calls["hash"] += 1
        return real_generate(*args, **kwargs)

    monkeypatch.setattr(module, "generate_password_hash", counting_generate)
    module.authenticate("nobody-here", "wrong-password")
    assert calls["hash"] == 0
