/**
 * Each cluster's control plane (its controllers, scheduler and kubelets) gets a bounded share of
 * the event loop the clusters of a process share, as a CPU quota bounds a container: the time its
 * steps run is charged to the cluster, which may run ahead by `burstMs` and then at `share` of
 * the loop, its next step waiting out its debt on a timer while the other clusters run.
 *
 * Why: a student's own objects make control-plane work that no request of theirs pays for. An
 * attacker creating ~50 pods a second within its request budget kept its scheduler and kubelets
 * busy binding them, writing their statuses and events, and every other cluster's requests waited
 * behind that work: the victim's p99 was ~3× its baseline, and 1.5× with the attacker's control
 * plane switched off (attacks bench, one process). Charged here, that cluster's pods start later,
 * as they would on an overloaded node, and the other clusters keep their latency.
 *
 * What is charged: the time from one step of a cluster's control plane to its next (`step`), less
 * the time its store operations took (`resumed` marks an operation's answer: a remote store's
 * latency is not the loop's work), and at most `maxStepMs` for one stretch. A turn of the loop the
 * control plane's registry gives back (between a long list's slices) is a step too (the registry's
 * `turn` port, set by onSharedLoop), so the other tasks that run in it are not charged. Two clusters' steps
 * that interleave on the loop are each charged the overlap: a conservative error, and a rare one
 * (an idle cluster's control plane runs a few passes a minute).
 */
export interface ShareOptions {
  /** The fraction of the loop a cluster's control plane may hold over time (0–1]. */
  share: number;
  /** How far ahead of its share a cluster may run, in ms of loop: a new cluster's first passes, a rollout. */
  burstMs: number;
  /** Waits for a turn of the loop after each step (the background pace, nextTurn.ts). */
  pace?: () => Promise<void>;
  /** The longest stretch charged between two steps (default 50 ms). */
  maxStepMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Account { credit: number; refilledAt: number; runningSince?: number }

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ControlPlaneShare {
  private readonly accounts = new Map<string, Account>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ShareOptions) {
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Before a step of the cluster's control plane: charges the stretch since its last, waits out a debt, paces. */
  async step(cluster: string): Promise<void> {
    const account = this.account(cluster);
    this.charge(account);
    if (account.credit < 0) await this.sleep(-account.credit / this.options.share);
    await this.options.pace?.();
    account.runningSince = this.now();
  }

  /** A step's store operation answered: the cluster runs again from now. */
  resumed(cluster: string): void {
    const account = this.accounts.get(cluster);
    if (account) account.runningSince = this.now();
  }

  /** The cluster's control plane has finished what it was doing (a pass): charged up to now. */
  idle(cluster: string): void {
    const account = this.accounts.get(cluster);
    if (account) this.charge(account);
  }

  /** A dropped cluster's account goes with it: one re-created under its name starts with a full burst. */
  forget(cluster: string): void {
    this.accounts.delete(cluster);
  }

  /** The cluster's credit now, in ms of loop time (tests, diagnostics). */
  creditOf(cluster: string): number {
    const account = this.account(cluster);
    this.refill(account, this.now());
    return account.credit;
  }

  private charge(account: Account): void {
    const now = this.now();
    if (account.runningSince !== undefined) account.credit -= Math.min(now - account.runningSince, this.options.maxStepMs ?? 50);
    account.runningSince = undefined;
    this.refill(account, now);
  }

  private refill(account: Account, now: number): void {
    account.credit = Math.min(this.options.burstMs, account.credit + (now - account.refilledAt) * this.options.share);
    account.refilledAt = now;
  }

  private account(cluster: string): Account {
    let account = this.accounts.get(cluster);
    if (!account) {
      this.accounts.set(cluster, (account = { credit: this.options.burstMs, refilledAt: this.now() }));
      // Bounded as the request quotas are: the oldest account goes first (and would start again full).
      if (this.accounts.size > 10_000) this.accounts.delete(this.accounts.keys().next().value!);
    }
    return account;
  }
}
