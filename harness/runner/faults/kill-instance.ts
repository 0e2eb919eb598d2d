// Fault: an app instance is SIGKILLed (OOM killer, a node going away). The balancer drops it at
// once; with restart, a replacement of the fleet's current version joins rotation once healthy,
// as a supervisor would start one. Mid-deploy, that is the version being deployed.
import { now } from '../../clock.ts';
import type { KillInstanceFault } from '../../scenario.ts';
import type { FaultKind } from './fault-kinds.ts';

export const killInstance: FaultKind<KillInstanceFault> = {
  fault: 'kill-instance',
  validate(f) {
    const out: string[] = [];
    if (f.which !== undefined && f.which !== 'newest' && f.which !== 'oldest') out.push('which must be "newest" or "oldest"');
    if (f.restart !== undefined && typeof f.restart !== 'boolean') out.push('restart must be true or false');
    return out;
  },
  async fire(f, ctx, signal, tookEffect) {
    const victim = ctx.fleet.pick(f.which ?? 'newest');
    if (!victim) throw new Error('no app instance in rotation to kill');
    const atT = now();
    await ctx.fleet.kill(victim.id, 'SIGKILL');
    tookEffect();
    const killed = { instance: victim.id, version: victim.version };
    if (f.restart === false || signal.aborted) return { label: `SIGKILL ${victim.id} (${victim.version})`, atT, details: { killed, restarted: null } };
    const fresh = await ctx.fleet.addInstance();
    const endT = now();
    return {
      label: `SIGKILL ${victim.id} (${victim.version}); replacement ${fresh.id} (${fresh.version}) in rotation after ${Math.round(endT - atT)} ms`,
      atT, endT,
      details: { killed, restarted: { instance: fresh.id, version: fresh.version, msToRotation: Math.round(endT - atT) } },
    };
  },
};
