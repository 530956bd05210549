import * as schema from '../../schema/flowcontrol.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/**
 * flowcontrol.apiserver.k8s.io/v1: API Priority and Fairness configuration, with kube-apiserver's
 * bootstrap objects (tenancy/bootstrapSystem.ts). Stored and listed; this server's own fairness
 * (pipeline/seats.ts) does not read them.
 */
type Condition = { type?: string; status?: string };
type FlowSchema = KubeObject & {
  spec?: { priorityLevelConfiguration?: { name?: string }; matchingPrecedence?: number; distinguisherMethod?: { type?: string } };
  status?: { conditions?: Condition[] };
};
type PriorityLevelConfiguration = KubeObject & {
  spec?: {
    type?: string;
    limited?: { nominalConcurrencyShares?: number; lendablePercent?: number; limitResponse?: { type?: string; queuing?: { queues?: number; handSize?: number; queueLengthLimit?: number } } };
    exempt?: { nominalConcurrencyShares?: number; lendablePercent?: number };
  };
};

const flowcontrol = { group: 'flowcontrol.apiserver.k8s.io', version: 'v1', namespaced: false, verbs: allVerbs, subresources: ['status' as const] };
const strategy = { tracksGeneration: true, allowUnconditionalUpdate: true };

export const flowschemas = defineResource<FlowSchema>({
  ...flowcontrol, kind: 'FlowSchema', plural: 'flowschemas', singular: 'flowschema', schema: schema.flowSchema,
  columns: [
    nameColumn,
    { name: 'PriorityLevel', type: 'string', description: '`name` is the name of the priority level configuration being referenced Required.' },
    { name: 'MatchingPrecedence', type: 'string', description: '`matchingPrecedence` is used to choose among the FlowSchemas that match a given request. The chosen FlowSchema is among those with the numerically lowest (which we take to be logically highest) MatchingPrecedence.  Each MatchingPrecedence value must be ranged in [1,10000]. Note that if the precedence is not specified, it will be set to 1000 as default.' },
    { name: 'DistinguisherMethod', type: 'string', description: '`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema. `nil` specifies that the distinguisher is disabled and thus will always be the empty string.' },
    ageColumn,
    { name: 'MissingPL', type: 'string', description: 'references a broken or non-existent PriorityLevelConfiguration' },
  ],
  row(fs, { now }) {
    // The flow-control configuration controller writes Dangling; until it has, kubectl shows "?".
    const dangling = fs.status?.conditions?.find((c) => c.type === 'Dangling')?.status ?? '?';
    return [fs.metadata.name, fs.spec?.priorityLevelConfiguration?.name ?? '', fs.spec?.matchingPrecedence ?? 1000, fs.spec?.distinguisherMethod?.type ?? '<none>', age(fs, now), dangling];
  },
  strategy: {
    ...strategy,
    defaults(fs) { (fs.spec ??= {}).matchingPrecedence ??= 1000; },
  },
});

export const prioritylevelconfigurations = defineResource<PriorityLevelConfiguration>({
  ...flowcontrol, kind: 'PriorityLevelConfiguration', plural: 'prioritylevelconfigurations', singular: 'prioritylevelconfiguration', schema: schema.priorityLevelConfiguration,
  columns: [
    nameColumn,
    { name: 'Type', type: 'string', description: '`type` indicates whether this priority level is subject to limitation on request execution.  A value of `"Exempt"` means that requests of this priority level are not subject to a limit (and thus are never queued) and do not detract from the capacity made available to other priority levels.  A value of `"Limited"` means that (a) requests of this priority level _are_ subject to limits and (b) some of the server\'s limited capacity is made available exclusively to this priority level. Required.' },
    { name: 'NominalConcurrencyShares', type: 'string', description: 'nominalConcurrencyShares (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level.' },
    { name: 'Queues', type: 'string', description: '`queues` is the number of queues for this priority level. The queues exist independently at each apiserver. The value must be positive.  Setting it to 1 effectively precludes shufflesharding and thus makes the distinguisher method of associated flow schemas irrelevant.  This field has a default value of 64.' },
    { name: 'HandSize', type: 'string', description: '`handSize` is a small positive number that configures the shuffle sharding of requests into queues.' },
    { name: 'QueueLengthLimit', type: 'string', description: '`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time; excess requests are rejected.  This value must be positive.  If not specified, it will be defaulted to 50.' },
    ageColumn,
  ],
  row(pl, { now }) {
    const limited = pl.spec?.type === 'Limited' ? pl.spec.limited : undefined;
    const queuing = limited?.limitResponse?.type === 'Queue' ? limited.limitResponse.queuing : undefined;
    const none = '<none>';
    return [pl.metadata.name, pl.spec?.type ?? '', limited?.nominalConcurrencyShares ?? none, queuing?.queues ?? none, queuing?.handSize ?? none, queuing?.queueLengthLimit ?? none, age(pl, now)];
  },
  strategy: {
    ...strategy,
    // SetDefaults_PriorityLevelConfiguration and its parts (flowcontrol/v1 defaults.go)
    defaults(pl) {
      const spec = pl.spec ?? {};
      if (spec.type === 'Exempt') spec.exempt = { nominalConcurrencyShares: 0, lendablePercent: 0, ...spec.exempt };
      const limited = spec.limited;
      if (!limited) return;
      limited.nominalConcurrencyShares ??= 30;
      limited.lendablePercent ??= 0;
      const queuing = limited.limitResponse?.type === 'Queue' ? (limited.limitResponse.queuing ??= {}) : undefined;
      if (queuing) {
        queuing.queues ??= 64;
        queuing.handSize ??= 8;
        queuing.queueLengthLimit ??= 50;
      }
    },
  },
});
