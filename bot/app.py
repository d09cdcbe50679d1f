"""The composition root: builds every part from Settings and wires them together. Tests call the
same function with their own clock, database URL or Slack base URL."""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.acks import acknowledge_clicks
from bot.home import HomePublisher
from bot.home_service import HomeService
from bot.languages import Languages
from bot.listener_pool import StartedListenerPool
from bot.listeners import register_listeners
from bot.presenter import ThreadPresenter
from bot.responder import Responder
from bot.scheduler import CheckpointJob
from bot.services import RequestService
from bot.settings import Settings, SlackPrincipals
from bot.slack.directory import ChannelPolicy, GroupMembers, Roster, SlackAuthority
from bot.slack.locales import SlackLocales
from bot.slack.messenger import Messenger
from bot.slack.retries import BoundedRateLimitRetryHandler
from bot.slack.web_client import KeepAliveWebClient
from bot.speakers import Speakers
from bot.sweeps import Sweeper, SweepSettings
from bot.wiring import Wiring
from flows.calendar import BankHolidays, WorkingCalendar
from flows.catalogue import build_catalogue
from flows.clock import Clock, SystemClock
from flows.conversation import Conversation
from flows.ports import OutboxMessage
from flows.timers import Timers, TimerSchedule
from storage.checkpoints import CheckpointSinks, load_private_key, take_checkpoint
from storage.hints import GroupedHints
from storage.unit_of_work import Database

log = logging.getLogger(__name__)


@dataclass
class Bot:
    settings: Settings
    database: Database
    client: WebClient
    app: App
    wiring: Wiring
    sweeper: Sweeper
    #: writes a signed audit checkpoint when due; None when no key or sink is configured
    checkpoint_job: CheckpointJob | None = None

    def close(self) -> None:
        """Let go of the database's connections and the Web API's kept ones."""
        if isinstance(self.client, KeepAliveWebClient):
            self.client.close()
        self.database.dispose()


def web_client(settings: Settings, retries: int = 2) -> WebClient:
    """The one Web API client, its connections kept open (bot.slack.web_client): retries 429
    (after its Retry-After, when that is short: see bot.slack.retries), 5xx and dropped
    connections, at most `retries` times each."""
    return KeepAliveWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=retries),
            BoundedRateLimitRetryHandler(max_retry_count=retries),
            ServerErrorRetryHandler(max_retry_count=retries),
        ],
    )


#: Bolt's listener threads. A click is acknowledged only once a listener thread has started on it
#: (Bolt's default is 5): while they all wait on the database or Slack, acknowledgements queue.
LISTENER_THREADS = 32


def listener_pool() -> ThreadPoolExecutor:
    """Every thread started now, before the first request (bot.listener_pool)."""
    return StartedListenerPool(max_workers=LISTENER_THREADS, thread_name_prefix="bolt-listener")


def create_bot(
    settings: Settings,
    clock: Clock | None = None,
    database: Database | None = None,
    client: WebClient | None = None,
    listener_executor: Executor | None = None,
) -> Bot:
    clock = clock or SystemClock()
    database = database or Database(
        settings.database_url, clock=clock, timeouts=settings.postgres_timeouts()
    )
    client = client or web_client(settings)
    flow_config = settings.flow_config()
    catalogue = build_catalogue(flow_config)
    conversation = Conversation(catalogue, flow_config, clock)
    members = GroupMembers(client)
    supervisors = _roster(settings.supervisors, members)
    escalation = _roster(settings.escalation_approvers, members)
    authority = SlackAuthority(
        supervisors,
        _roster(settings.officers, members),
        escalation,
    )
    timers = Timers(
        idle_reminder=settings.idle_reminder,
        idle_expiry=settings.idle_expiry,
        approval_reminder=settings.approval_reminder,
        approval_escalation=settings.approval_escalation,
        approval_expiry=settings.approval_expiry,
        install_reminder=settings.install_reminder,
    )
    calendar = WorkingCalendar(
        settings.working_hours, settings.timezone, BankHolidays(settings.bank_holidays)
    )
    schedule = TimerSchedule(timers, calendar)
    # SQLite: one writer at a time, so small relaxed writes (where a question was posted, what
    # was sent) share its turns; PostgreSQL updates rows side by side, and a group would wait
    # for the row locks of every answer in progress
    grouped = GroupedHints(database.relaxed) if database.dialect == "sqlite" else None
    service = RequestService(
        database.uow,
        conversation,
        clock,
        authority,
        schedule,
        reads=database.reader,
        hints=database.relaxed,
        remember_question=grouped.remember_question if grouped is not None else None,
        # SQLite: a use case reads and decides before it takes the one write lock
        optimistic=database.staged if database.dialect == "sqlite" else None,
        review_after=settings.review_after,
        second_approval=settings.second_approval,
        command_hint=settings.command,
    )
    messenger = Messenger(client, database.uow, clock)
    channels = ChannelPolicy(client, settings.request_channels)
    homes = HomeService(database.uow, database.reader, service.roles_of, clock, service.today)
    languages = Languages(
        database.uow,
        database.reader,
        clock,
        settings.default_language,
        settings.thread_languages,
        SlackLocales(client).language,
    )
    # the conversation speaks the officer's language (flows render for a given language)
    service.language_of = languages.language_for
    home = HomePublisher(
        homes,
        client,
        messenger,
        supervisors.ids,
        clock,
        settings.timezone,
        settings.command,
        languages,
    )
    # who reads which language (#12): ephemerals the reader's, thread messages the thread's
    speakers: Speakers = languages
    presenter = ThreadPresenter(
        messenger,
        service,
        catalogue,
        supervisors.ids,
        settings.timezone,
        channels,
        home,
        authority,
        languages,
    )
    wiring = Wiring(
        service=service,
        responder=Responder(presenter, messenger, settings.timezone, speakers),
        presenter=presenter,
        messenger=messenger,
        channels=channels,
        authority=authority,
        catalogue=catalogue,
        tz=settings.timezone,
        command=settings.command,
        home=home,
        homes=homes,
        deciders=supervisors.ids,
        languages=languages,
    )
    secret = settings.slack_signing_secret
    app = App(
        client=client,
        signing_secret=secret.get_secret_value() if secret else None,
        request_verification_enabled=not settings.socket_mode,
        token_verification_enabled=False,
        logger=logging.getLogger("slack_bolt"),
        listener_executor=listener_executor or listener_pool(),
    )
    app.use(acknowledge_clicks)  # before a listener thread is free (bot.acks)
    register_listeners(app, wiring)

    sweeper = Sweeper(
        database.uow,
        client,
        conversation,
        catalogue,
        schedule,
        clock,
        SweepSettings(
            timers=timers,
            tz=settings.timezone,
            hold=schedule.hold,
            count=schedule.count,
            supervisors=supervisors.ids,
            escalation=escalation.ids,
            lease_seconds=max(60.0, settings.scheduler_interval.total_seconds() * 4),
            outbox_max_attempts=settings.outbox_max_attempts,
            outbox_backoff=settings.scheduler_interval,
        ),
        withhold=lambda message: _withhold(message, service, presenter),
        permalink=messenger.permalink,
        moved=presenter.moved,
        threadless=service.could_not_post,
        speakers=speakers,
        marks=database.relaxed,
        grouped_marks=grouped.run if grouped is not None else None,
        question_missed=presenter.answered_meanwhile,
    )
    # what a change says is recorded in its transaction and sent from the outbox: at once by
    # the listener that made it, or by the scheduler if this process dies first
    service.announcer = presenter
    wiring.responder.sender = sweeper.sender
    return Bot(
        settings, database, client, app, wiring, sweeper, _checkpoint_job(settings, database)
    )


def _checkpoint_job(settings: Settings, database: Database) -> CheckpointJob | None:
    """Raises CheckpointError (one line) when the key cannot be used."""
    sinks = CheckpointSinks(settings.audit_checkpoint_file, settings.audit_checkpoint_channel)
    if settings.audit_key_file is None or sinks.empty:
        return None
    key = load_private_key(settings.audit_key_file)
    return CheckpointJob(
        lambda: take_checkpoint(database, key, sinks, only_if_moved=True),
        settings.audit_checkpoint_interval.total_seconds(),
    )


def _withhold(message: OutboxMessage, service: RequestService, presenter: ThreadPresenter) -> bool:
    """A queued message about a request whose channel has since been shared is not sent."""
    request = service.get(message.request_id) if message.request_id else None
    return request is not None and presenter.withheld(request, message.purpose)


def _roster(principals: SlackPrincipals, members: GroupMembers) -> Roster:
    return Roster(principals.users, principals.groups, members)
