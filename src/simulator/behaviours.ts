import type { Behaviour } from './behaviour.js';

/** Side effects and rules per resource path (paymo-api.md 1.12 and section 2). */
export const BEHAVIOURS: Readonly<Record<string, Behaviour>> = {};
