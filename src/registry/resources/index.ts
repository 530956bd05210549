import type { ResourceDef } from '../types.ts';
import { configmaps, secrets, serviceaccounts } from './config.ts';
import { events } from './events.ts';
import { namespaces } from './namespaces.ts';
import { nodes } from './nodes.ts';
import { pods } from './pods.ts';
import { services } from './services.ts';

/** Every resource this server serves; discovery, handlers and tables come from this list. */
export const resources: ResourceDef[] = [pods, nodes, namespaces, configmaps, secrets, serviceaccounts, services, events];
