import type { SessionEvent, SessionEventName } from '../protocol/api.js';

/** An API event's fields without its name. */
export type EventBody<N extends SessionEventName> = N extends SessionEventName
  ? Omit<Extract<SessionEvent, { event: N }>, 'event'>
  : never;

/**
 * Events of the session's parts that are API events already: each is named like the API
 * event and carries its fields, so the session passes them on without restating a shape.
 */
export type ApiReports<N extends SessionEventName> = { [K in N]: [EventBody<K>] };
