// Fills the console's plain state from the server: migration states, the engine's events of a run
// started here, the monitor's locks and gauges, the checklist. The panes only ever see the state.
import { DEFAULTS } from '../defaults.js';
import { withMode, type Workspace } from '../operations/workspace.js';
import type { Ask } from '../operations/confirm.js';
import type {
  Db,
  MigrationsFolder,
  Monitor,
  RunbookManifest,
  EngineEvent,
  MonitorSnapshot,
} from '../operations/types.js';
import {
  consoleChecklist,
  EventStream,
  readConsoleWorkspace,
  watchTarget,
  type ChecklistResults,
} from '../operations/consoleReads.js';
import { consoleSession } from './session.js';
import { statusOperation } from '../operations/status.js';
import { statusNotes } from '../operations/statusNotes.js';
import { whoAmI } from '../who.js';
import { emptyState, type ConsoleState, type MessageLevel, type MigrationView } from './state.js';
import type { ActionId } from './keys.js';
import type { ConsoleModel, Details, Selection } from './model.js';
import type { DialogSpec } from './dialog.js';
import { DialogBridge } from './dialogBridge.js';
import { followEngineEvent } from './engineFeed.js';
import { requestAction } from './actions.js';
import { detailsFor } from './details.js';
import {
  applicationSessions,
  checklistView,
  otherRunnerIn,
  panesFrom,
  recordedViews,
  sourceMessage,
  withSession,
  type SessionInfo,
} from './feeds.js';
import { startRewriteRun, startRun } from './runner.js';
import { RiskWatch } from './riskWatch.js';
import { PlanCache, statesKey } from './planCache.js';
import type { ConsoleHost, ControllerOptions, SayOptions, Verification } from './host.js';
import { MessageLine } from './messageLine.js';
import { loadRehearsedDurations } from '../operations/rehearsedEstimates.js';
import type { RehearsedDuration } from '../operations/events.js';
export type { ControllerOptions } from './host.js';
export class ConsoleController implements ConsoleModel, ConsoleHost {
  private state: ConsoleState;
  private listeners = new Set<() => void>();
  private db: Db | undefined;
  monitor: Monitor | undefined;
  folder: MigrationsFolder | undefined;
  manifest: RunbookManifest | undefined;
  private session = new Map<string, SessionInfo>();
  /** What the latest `rehearse --with-data` measured, per migration: the running statement's ETA. */
  private readonly rehearsed = new Map<string, RehearsedDuration>();
  private paused = false;
  private pendingState: ConsoleState | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private checklistTimer: NodeJS.Timeout | undefined;
  private closed = false;
  run: { abort: AbortController; done: Promise<void>; enginePid?: number } | undefined;
  readonly events = new EventStream();

  private readonly workspace: Workspace;
  private readonly dialogs = new DialogBridge(() => this.closed);

  constructor(readonly opts: ControllerOptions) {
    // Operations confirm as the console's mode demands: the database name typed on LIVE only.
    // A notice (a --notify not delivered) goes to the message line: stderr would tear the screen.
    this.workspace = { ...withMode(opts.ctx, opts.mode), notice: (sentence) => this.say(sentence, 'warn') };
    const target = opts.ctx.target();
    this.state = emptyState({
      target: opts.targetLabel ?? target.display,
      server: null,
      mode: opts.mode,
      user: whoAmI(),
    });
    this.events.on((e) => this.onEngineEvent(e));
  }

  get ctx(): Workspace {
    return this.workspace;
  }

  /** The app hands over how it opens a dialog; operations ask through it. */
  attachDialogs = (open: (spec: DialogSpec) => void): (() => void) => this.dialogs.attach(open);
  ask: Ask = (q) => this.dialogs.ask(q);

  // ---- ConsoleModel -------------------------------------------------------------------------

  getState = (): ConsoleState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    if (paused) this.monitor?.pause();
    else {
      this.monitor?.resume();
      if (this.pendingState) this.publish(this.pendingState);
      this.pendingState = undefined;
    }
  }

  request(action: ActionId, sel: Selection): Promise<DialogSpec | null> {
    return requestAction(this, action, sel);
  }

  details(sel: Selection): Promise<Details> {
    return detailsFor(this, sel);
  }

  isRunning = (): boolean => Boolean(this.run);

  async stopRun(): Promise<void> {
    if (!this.run) return;
    this.run.abort.abort();
    await this.run.done;
  }

  /** The message line; result: the DBA's own action's outcome, kept until the next key. */
  say(text: string, level: MessageLevel = 'info', opts: SayOptions = {}): void {
    this.messages.say(text, level, opts);
  }

  keyPressed(): void {
    this.messages.keyPressed();
  }

  private readonly messages = new MessageLine(
    () => this.state.message,
    (message) => this.update((s) => ({ ...s, message })),
  );
  /** Runs wait while text is set (the demo's application loading its data), with the text on the busy line. */
  holdRuns(text: string | null): void {
    this.update((s) => ({ ...s, busy: text, migrations: { ...s.migrations, hold: text } }));
  }

  setBusy(text: string | null): void {
    this.update((s) => ({ ...s, busy: text }));
  }

  // ---- state ----------------------------------------------------------------------------------

  /**
   * Changes the state. While a dialog is open, data updates wait (the rows must not move under the
   * cursor); messages and busy indicators still show.
   */
  update(fn: (s: ConsoleState) => ConsoleState, data = false): void {
    if (data && this.paused) {
      this.pendingState = fn(this.pendingState ?? this.state);
      return;
    }
    this.publish(fn(this.pendingState ?? this.state));
    this.pendingState = undefined;
  }

  private publish(s: ConsoleState): void {
    this.state = s;
    for (const l of this.listeners) l();
  }

  // ---- start / stop ---------------------------------------------------------------------------

  /** Connects (a failure is the caller's to report, before the screen opens), then reads what the first frame shows. */
  async connect(): Promise<void> {
    const target = this.ctx.target();
    this.db = await (this.opts.session ?? consoleSession(target));
    // The panes' feeds open their own sessions now: their handshakes and first queries run on the
    // server while this process reads the folder and loads the UI.
    this.start();
    const { version, folder, manifest } = await readConsoleWorkspace(this.db, this.ctx);
    this.folder = folder;
    const source = sourceMessage(this.ctx, this.opts.mode);
    const noProject = source.noProject ?? null; // no project on a LIVE database: keys that write refuse
    this.update((s) => ({
      ...s,
      header: { ...s.header, server: version ? `PG ${version}` : null },
      migrations: { ...s.migrations, noProject },
    }));
    this.say(source.text, source.level);
    // A broken manifest is said last, so that it is the line left on screen.
    if (manifest instanceof Error) this.say(`runbook manifest: ${manifest.message}`, 'warn');
    else this.manifest = manifest;
    // The first frame shows the queue: read it before the screen opens.
    await this.refreshStatus();
  }

  /** Starts the refreshes (once); the first frame does not wait for them. */
  start(): void {
    if (this.monitor || this.closed) return;
    this.monitor = watchTarget(this.ctx, {
      refreshMs: this.opts.refreshMs ?? 1000,
      applicationName: `citadel-migrate monitor (${whoAmI()})`.slice(0, 63),
    });
    this.monitor.follow(this.events);
    loadRehearsedDurations(this.ctx, this.rehearsed);
    this.monitor.start((snap) => this.onSnapshot(snap));
    // The first refreshes start now; start()'s own first ticks join them and hand them to onSnapshot.
    this.firstData = Promise.all([this.monitor.refresh(), this.monitor.refreshSizes(), this.refreshChecklist()]).then(
      () => undefined,
    );
    // The plan is read ahead once the first frame is drawn and the checklist has had its turn.
    setTimeout(() => {
      this.started = true;
      if (!this.closed && !this.run) this.plans.refresh(statesKey(this.recorded));
    }, 1500).unref();
    this.checklistTimer = setInterval(() => void this.refreshChecklist(), 60_000).unref();
  }

  /** Settles once every pane has had its first answer (or error): the command loads the UI after it, so the two do not compete. */
  firstData: Promise<void> = Promise.resolve();

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.statusTimer);
    this.messages.close();
    clearInterval(this.checklistTimer);
    this.plans.close();
    if (this.run) await this.stopRun().catch(() => undefined);
    await this.monitor?.stop().catch(() => undefined);
    await this.db?.end().catch(() => undefined);
  }

  // ---- migrations -----------------------------------------------------------------------------

  /** Re-reads _prisma_migrations. Every 5 s when idle, every 2 s while someone else runs, and after every event of ours. */
  async refreshStatus(): Promise<void> {
    clearTimeout(this.statusTimer);
    if (this.closed || !this.db || !this.folder) return;
    try {
      this.folder = await this.ctx.folder(); // read again if a migration was added or removed
      // What `status` says: the journal's notes on interrupted runs, another terminal's run, the leftovers
      // of a dead run, and what a run would refuse (the wrong folder, a transaction pooler).
      const report = await statusOperation(this.ctx, { db: this.db });
      const recorded = recordedViews(report.states, this.folder, this.manifest, Boolean(this.run));
      const notes = statusNotes(report);
      // Most re-reads find the history unchanged: no new state, no re-render (the idle console's CPU).
      const same =
        !this.run &&
        this.state.migrations.available &&
        !this.state.migrations.note &&
        JSON.stringify([recorded, notes]) === JSON.stringify([this.recorded, this.notes]);
      this.recorded = recorded;
      this.notes = notes;
      if (!same) this.rebuildMigrations();
      if (this.started && !this.run) this.plans.refresh(statesKey(this.recorded));
    } catch (err) {
      this.update(
        (s) => ({
          ...s,
          migrations: {
            ...s.migrations,
            available: s.migrations.items.length > 0,
            note: `cannot read migrations: ${(err as Error).message}`,
          },
        }),
        true,
      );
    }
    if (this.closed) return;
    const other = Boolean(this.state.migrations.otherRunner);
    this.statusTimer = setTimeout(() => void this.refreshStatus(), this.run || other ? 2000 : 5000);
    this.statusTimer.unref();
  }

  private recorded: MigrationView[] = [];
  private notes: string[] = [];
  private started = false;

  /** The recorded states with what this console's own run knows on top. */
  private rebuildMigrations(): void {
    const items = withSession(this.recorded, this.session, this.rehearsed);
    this.update(
      (s) => ({
        ...s,
        migrations: {
          ...s.migrations,
          available: true,
          note: undefined,
          items,
          notes: this.notes,
          running: Boolean(this.run),
        },
      }),
      true,
    );
  }

  private onEngineEvent(e: EngineEvent): void {
    if (followEngineEvent(this, this.session, e)) this.rebuildMigrations();
  }

  /** Another console's run shows through the migration lock's holder; our own run is not "another". */
  private onSnapshot(snap: MonitorSnapshot): void {
    const otherRunner = this.run ? null : otherRunnerIn(snap, this.ownPids);
    const hadOther = Boolean(this.state.migrations.otherRunner);
    const byApp = applicationSessions(snap);
    this.lastSnapshot = snap;
    // Another process (a CLI run, prisma migrate deploy) changed the history: read it again now.
    const historyChanged =
      this.lastFingerprint !== undefined && snap.historyFingerprint !== this.lastFingerprint && !snap.stale;
    if (!snap.stale) this.lastFingerprint = snap.historyFingerprint;
    const risks = this.risks.rows(snap, this.ownPids);
    // Most refreshes change nothing the panes show (free disk bytes move, its percent not): no render to delay a key's frame.
    const panes = panesFrom(snap, byApp, risks);
    const key = JSON.stringify([panes, otherRunner, snap.server?.version]);
    if (key !== this.lastSnapshotKey || this.run) {
      this.lastSnapshotKey = key;
      this.update(
        (s) => ({
          ...s,
          header: { ...s.header, server: s.header.server ?? (snap.server ? `PG ${snap.server.version}` : null) },
          ...panes,
          migrations: { ...s.migrations, otherRunner: this.run ? (s.migrations.otherRunner ?? null) : otherRunner },
        }),
        true,
      );
      if (this.run) this.rebuildMigrations(); // the running migration's clock
    }
    if (hadOther !== Boolean(otherRunner) || historyChanged)
      void this.refreshStatus().then(() => (historyChanged ? this.refreshChecklist({ sizes: true }) : undefined));
  }

  /** The migration whose blockers the Locks pane shows: the running one, else the next to run. */
  readonly risks = new RiskWatch(
    () => this.state.migrations.items,
    () => this.folder,
  );
  /** The plan read ahead for the run dialog, after the first frame and whenever the states change. */
  readonly plans = new PlanCache(
    () => this.db,
    () => this.folder,
  );
  private lastFingerprint: string | null | undefined;

  lastSnapshot: MonitorSnapshot | undefined;
  private lastSnapshotKey = '';
  readonly ownPids = new Set<number>();
  lastVerification: Verification | undefined;

  // ---- checklist ------------------------------------------------------------------------------

  async refreshChecklist(opts: { sizes?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    try {
      if (opts.sizes) void this.monitor?.refreshSizes(); // not awaited, nor on the 60 s timer: seconds on a large database
      this.checklistResults = await consoleChecklist(this.ctx, this.opts.backupDir ?? DEFAULTS.backupDir);
      const view = checklistView(this.checklistResults);
      // The 60 s re-read mostly finds the checklist as it was: no new state, no frame (as refreshStatus).
      if (JSON.stringify(view) === JSON.stringify((this.pendingState ?? this.state).checklist)) return;
      this.update((s) => ({ ...s, checklist: view }), true);
    } catch (err) {
      this.update(
        (s) => ({
          ...s,
          checklist: {
            ...s.checklist,
            available: s.checklist.items.length > 0,
            note: `checklist: ${(err as Error).message}`,
          },
        }),
        true,
      );
    }
  }

  checklistResults: ChecklistResults = [];
  /** Starts a run in the background; its progress arrives as engine events. */
  startRun = (names: string[]): void => startRun(this, names);
  startRewriteRun = (names: string[]): void => startRewriteRun(this, names);

  /** A run ended: nothing of this console is running any more. */
  endRun(): void {
    this.run = undefined;
    for (const [name, i] of this.session) if (i.state === 'running') this.session.set(name, { ...i, state: undefined });
    this.update((s) => ({ ...s, migrations: { ...s.migrations, running: false } }));
  }

  /** The status connection, for actions that read (verify, details). */
  get statusDb(): Db | undefined {
    return this.db;
  }
}
