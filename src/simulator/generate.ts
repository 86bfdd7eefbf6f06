/**
 * The simulator's deterministic data generator: a believable agency (users, clients, projects,
 * tasks, time entries, invoices, …) with every record shaped exactly like paymo-api.md section 2.
 *
 * Same seed + scale + `now` → the same dataset, byte for byte. Data is laid out relative to `now`
 * (time entries up to the current minute, a running timer, invoices overdue today) so that
 * "this month" and "today" queries have answers on any day the tests run.
 *
 * The `large` scale (≥ 1 M time entries) is built for benchmarks: one day-major pass over users,
 * one object literal per entry (stable hidden classes), timestamps shared through a per-day minute
 * cache, no per-record closures and no intermediate copies of the big tables.
 */

import { hexString, Random } from './random.js';
import { computeDocumentTotals, type DocumentTotals, roundMoney } from './totals.js';
import type { Rec } from './types.js';

/** Dataset size: `tiny` (tests, full of edge cases), `demo` (embedded demo company), `large` (benchmarks). */
export type Scale = 'tiny' | 'demo' | 'large';

/** Options of generateDataset. */
export interface GenerateOptions {
  readonly scale: Scale;
  /** PRNG seed (default DEFAULT_SEED). */
  readonly seed?: number;
  /** Anchor: data is laid out relative to this instant so "this month" queries have data; default now. */
  readonly now?: Date;
}

/** A generated Paymo account. */
export interface Dataset {
  /** Resource path → records sorted by ascending id (`company` holds its one record). */
  readonly records: Map<string, Rec[]>;
  /** One key per active user; the first belongs to an Admin. */
  readonly apiKeys: { key: string; userId: number }[];
  readonly companyId: number;
}

/** The seed used when GenerateOptions.seed is absent. */
export const DEFAULT_SEED = 20_240_601;

/** Every resource path the generator fills, in a fixed order (sessions stay empty). */
export const GENERATED_PATHS: readonly string[] = [
  'company',
  'users',
  'clients',
  'clientcontacts',
  'projectstatuses',
  'workflows',
  'workflowstatuses',
  'projecttemplates',
  'projecttemplatestasklists',
  'projecttemplatestasks',
  'invoicetemplates',
  'invoicetemplatesgallery',
  'estimatetemplates',
  'estimatetemplatesgallery',
  'projects',
  'milestones',
  'tasklists',
  'tasks',
  'userstasks',
  'subtasks',
  'bookings',
  'entries',
  'expenses',
  'invoices',
  'invoiceitems',
  'invoicepayments',
  'estimates',
  'estimateitems',
  'recurringprofiles',
  'recurringprofileitems',
  'taskrecurringprofiles',
  'discussions',
  'threads',
  'comments',
  'files',
  'reports',
  'hooks',
  'sessions',
];

/**
 * First id of each resource. Ranges differ per resource so that a join on the wrong column finds
 * nothing instead of plausible-looking rows.
 */
const ID_BASE: Readonly<Record<string, number>> = {
  company: 7,
  projectstatuses: 11,
  workflows: 21,
  workflowstatuses: 31,
  invoicetemplates: 51,
  estimatetemplates: 61,
  hooks: 71,
  projecttemplates: 81,
  projecttemplatestasklists: 91,
  projecttemplatestasks: 121,
  invoicetemplatesgallery: 161,
  estimatetemplatesgallery: 181,
  recurringprofiles: 201,
  recurringprofileitems: 301,
  taskrecurringprofiles: 401,
  reports: 501,
  users: 1_001,
  clients: 3_001,
  clientcontacts: 5_001,
  projects: 10_001,
  tasklists: 20_001,
  milestones: 40_001,
  discussions: 50_001,
  expenses: 60_001,
  invoices: 80_001,
  estimates: 90_001,
  estimateitems: 100_001,
  invoiceitems: 200_001,
  invoicepayments: 300_001,
  threads: 400_001,
  files: 500_001,
  comments: 600_001,
  bookings: 700_001,
  subtasks: 800_001,
  tasks: 1_000_001,
  userstasks: 2_000_001,
  entries: 10_000_001,
};

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MIN_MS = 60_000;
/** Latest minute of the day a generated working-day entry may end at (21:00). */
const LAST_MINUTE = 21 * 60;
/** Most entries one user logs on one day (demo averages ~9: ten people, 20,000 entries a year). */
const MAX_PER_DAY = 24;

// ---------------------------------------------------------------------------------------------
// Scale configuration

interface ScaleConfig {
  readonly historyDays: number;
  readonly users: number;
  readonly admins: number;
  readonly guests: number;
  readonly retired: number;
  readonly clients: number;
  readonly archivedClients: number;
  readonly projects: number;
  readonly tasks: number;
  readonly entries: number;
  readonly bulkShare: number;
  readonly invoices: number;
  readonly estimates: number;
  readonly expenses: number;
  readonly recurringProfiles: number;
  readonly taskRecurringProfiles: number;
  readonly reports: number;
  readonly discussionsPerProject: number;
  readonly taskThreadShare: number;
  readonly commentsPerThread: readonly [number, number];
  readonly filesPerProject: number;
  readonly subtaskShare: number;
  readonly bookingShare: number;
  readonly usersPerProject: readonly [number, number];
  readonly runningTimers: number;
  readonly secondWorkflow: boolean;
  readonly edgeCases: boolean;
}

const CONFIGS: Readonly<Record<Scale, ScaleConfig>> = {
  tiny: {
    historyDays: 62,
    users: 4,
    admins: 1,
    guests: 1,
    retired: 1,
    clients: 4,
    archivedClients: 1,
    projects: 5,
    tasks: 30,
    entries: 100,
    bulkShare: 0.25,
    invoices: 6,
    estimates: 3,
    expenses: 6,
    recurringProfiles: 1,
    taskRecurringProfiles: 1,
    reports: 2,
    discussionsPerProject: 1,
    taskThreadShare: 0.3,
    commentsPerThread: [1, 3],
    filesPerProject: 1.5,
    subtaskShare: 0.3,
    bookingShare: 0.3,
    usersPerProject: [2, 3],
    runningTimers: 1,
    secondWorkflow: false,
    edgeCases: true,
  },
  demo: {
    historyDays: 365,
    users: 10,
    admins: 2,
    guests: 1,
    retired: 1,
    clients: 15,
    archivedClients: 2,
    projects: 40,
    tasks: 800,
    entries: 20_000,
    bulkShare: 0.15,
    invoices: 150,
    estimates: 40,
    expenses: 250,
    recurringProfiles: 4,
    taskRecurringProfiles: 5,
    reports: 6,
    discussionsPerProject: 2,
    taskThreadShare: 0.2,
    commentsPerThread: [1, 6],
    filesPerProject: 3,
    subtaskShare: 0.25,
    bookingShare: 0.15,
    usersPerProject: [2, 6],
    runningTimers: 2,
    secondWorkflow: true,
    edgeCases: false,
  },
  large: {
    historyDays: 1095,
    users: 200,
    admins: 5,
    guests: 5,
    retired: 15,
    clients: 300,
    archivedClients: 30,
    projects: 2_000,
    tasks: 100_000,
    // A little above 1 M: entries of today that would end after `now` are dropped.
    entries: 1_006_000,
    bulkShare: 0.15,
    invoices: 4_000,
    estimates: 800,
    expenses: 8_000,
    recurringProfiles: 30,
    taskRecurringProfiles: 40,
    reports: 20,
    discussionsPerProject: 1.5,
    taskThreadShare: 0.1,
    commentsPerThread: [1, 5],
    filesPerProject: 2,
    subtaskShare: 0.2,
    bookingShare: 0.05,
    usersPerProject: [3, 8],
    runningTimers: 12,
    secondWorkflow: true,
    edgeCases: false,
  },
};

// ---------------------------------------------------------------------------------------------
// Text pools

/** Splits a `|`-separated pool of phrases (compact to read, one string per phrase at run time). */
function words(pool: string): readonly string[] {
  return pool.split('|');
}

const FIRST_NAMES = words(
  'Alice|Bruno|Chloé|Dmitri|Elena|Farid|Grace|Hiro|Inès|Jonas|Kavya|Liam|Maya|Nikolai|Olivia|' +
    'Pedro|Quinn|Rosa|Sven|Tariq|Uma|Victor|Wen|Ximena|Yusuf|Zara|Amara|Björn|Carmen|Diego',
);
const LAST_NAMES = words(
  'Anderson|Bauer|Costa|Dubois|Eriksen|Fischer|García|Hoffmann|Ivanova|Jensen|Kowalski|Larsen|' +
    'Moreau|Nakamura|Okafor|Petrov|Quintero|Rossi|Schmidt|Tanaka|Ueda|Varga|Weber|Xu|Yılmaz|' +
    'Zimmermann|Novák|Ólafsson|Silva|Lindqvist',
);
const POSITIONS = words(
  'Project Manager|Designer|Senior Developer|Developer|Copywriter|Account Manager|QA Engineer|' +
    'Art Director|Marketing Specialist|Data Analyst',
);
const TIMEZONES = ['Europe/London', 'Europe/Berlin', 'America/New_York', 'US/Eastern', 'Asia/Tokyo', 'UTC'];
const CLIENT_STEMS = words(
  'Acme|Globex|Initech|Umbrella|Stark|Wayne|Hooli|Vandelay|Soylent|Tyrell|Cyberdyne|Wonka|' +
    'Aperture|Oceanic|Pied Piper|Monarch|Nakatomi|Blue Harbor|Northwind|Contoso|Fabrikam|' +
    'Tailspin|Adatum|Litware|Proseware|Lucerne|Margie|Fourth Coffee|Wingtip|Alpine Ski',
);
const CLIENT_SUFFIXES = words(
  'Inc.|LLC|GmbH|Ltd|& Co|Group|Labs|Studio|Partners|Foods|Logistics|Bank|Health|Media|Travel',
);
/** Real-world flavour for demo/large: accents, ampersands, apostrophes, CJK. */
const CLIENT_SPECIALS = [
  'Müller & Söhne GmbH',
  'Café Olé SARL',
  "O'Reilly Hardware",
  '大阪トレーディング株式会社',
];
const CITIES: readonly (readonly [string, string, string | null, string])[] = [
  ['New York', 'US', 'NY', '10001'],
  ['Berlin', 'DE', null, '10115'],
  ['London', 'GB', null, 'EC1A 1BB'],
  ['Paris', 'FR', null, '75001'],
  ['Zürich', 'CH', 'ZH', '8001'],
  ['Tokyo', 'JP', null, '100-0001'],
  ['Austin', 'US', 'TX', '73301'],
  ['Toronto', 'CA', 'ON', 'M5H 2N2'],
  ['São Paulo', 'BR', 'SP', '01000-000'],
  ['Kraków', 'PL', null, '30-001'],
];
const STREETS = words('Main Street|Market Square|Harbour Road|Lindenallee|Rue de la Paix|Elm Avenue');
const PROJECT_TOPICS = words(
  'Website Redesign|Mobile App|Brand Identity|SEO Audit|Marketing Campaign|E-commerce Platform|' +
    'Data Migration|CRM Integration|Annual Report|Product Launch|Social Media|UX Research|' +
    'Intranet|API Development|Video Production|Newsletter|Analytics Dashboard|Security Review|' +
    'Cloud Migration|Support Retainer',
);
const PROJECT_COLORS = words('#68BE5E|#F5A623|#4A90E2|#D0021B|#9013FE|#50E3C2|#B8E986|#8B572A');
const TASKLIST_NAMES = words(
  'Discovery|Design|Development|Content|QA|Launch|Maintenance|Research|Planning|Backlog',
);
const TASK_VERBS = words(
  'Design|Implement|Review|Write|Test|Update|Fix|Prepare|Plan|Deploy|Optimize|Document|' +
    'Refactor|Present|Audit',
);
const TASK_OBJECTS = words(
  'homepage|login flow|checkout|header|footer|navigation|contact form|landing page|' +
    'newsletter template|API endpoints|database schema|search|analytics tags|style guide|' +
    'wireframes|mockups|copy|product pages|onboarding|payment integration|release notes|' +
    'user interviews|sitemap|logo|banner ads',
);
const TASK_DESCRIPTIONS = [
  '<p>See the brief in the project files.</p>',
  '<p>Agreed in the kick-off meeting.</p>',
  'Follow the style guide.',
  '<p>Client feedback:</p><ul><li>bigger logo</li><li>less blue</li></ul>',
  'Estimate first, then start.',
];
const SUBTASK_NAMES = words('Draft|Review|Approve|Polish|Hand over|Check links|Update docs|Sign off');
const ENTRY_DESCRIPTIONS = words(
  '|||Meeting with client|Internal sync|Implementation|Code review|Bug fixing|Research|' +
    'Design iteration|Call with stakeholders|Documentation|Testing|Deployment|Planning|' +
    'Email and follow-ups|Workshop|Revisions after feedback|Pairing session|QA pass|' +
    'Preparing presentation|Copywriting',
);
const COMMENTS = [
  '<p>Looks good to me 👍</p>',
  '<p>Can we move this to next week?</p>',
  '<p>I pushed a first draft, feedback welcome.</p>',
  '<p>The client approved the mockups.</p>',
  '<p>Blocked until we get the assets.</p>',
  '<p>Done, please review.</p>',
  '<p>Thanks!</p>',
  '<p>Let\u2019s discuss this in tomorrow\u2019s stand-up.</p>',
];
const DISCUSSION_NAMES = words('Kick-off notes|Weekly status|Open questions|Launch checklist|Feedback round');
const FILE_NAMES: readonly (readonly [string, string])[] = [
  ['brief.pdf', 'application/pdf'],
  ['logo-final-v2.png', 'image/png'],
  ['moodboard.jpg', 'image/jpeg'],
  ['Spezifikation_Übersicht.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['budget.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['données.csv', 'text/csv'],
  ['meeting-notes.txt', 'text/plain'],
  ['wireframes.pdf', 'application/pdf'],
];
const EXPENSE_NOTES = words(
  'Stock photos|Software license|Travel – train tickets|Hosting|Printing|Client lunch|Fonts|' +
    'Domain renewal|Taxi|Conference ticket',
);
const EXPENSE_TAGS = ['travel', 'software', 'hosting', 'meals', 'print', 'assets'];
const ESTIMATE_LINES: readonly (readonly [string, number])[] = [
  ['Discovery workshop', 1200],
  ['UX design', 95],
  ['Frontend development', 110],
  ['Backend development', 120],
  ['Copywriting', 80],
  ['Project management', 90],
  ['Hosting setup', 350],
  ['Training session', 600],
];
const EDGE_FILE_PARENTS = [0.1, 0.5, 0.7, 0.9];
const HTML_TEMPLATE =
  '<div class="doc"><h1>{title}</h1><p>{company_info}</p><p>{bill_to}</p>{items}<p>{total}</p><p>{footer}</p></div>';

// ---------------------------------------------------------------------------------------------
// Record shapes the generator mutates after creation (type aliases, so they are assignable to Rec)

type UserRec = {
  id: number;
  name: string | null;
  email: string;
  type: string;
  active: boolean;
  timezone: string | null;
  phone: string | null;
  skype: string | null;
  position: string | null;
  workday_hours: number | null;
  price_per_hour: number | null;
  date_format: string | null;
  time_format: string | null;
  decimal_sep: string | null;
  thousands_sep: string | null;
  week_start: string | null;
  language: string | null;
  theme: string | null;
  assigned_projects: number[];
  managed_projects: number[];
  is_online: boolean | null;
  created_on: string;
  updated_on: string;
};

type ProjectRec = {
  id: number;
  name: string;
  code: string | null;
  task_code_increment: number;
  description: string | null;
  client_id: number;
  status_id: number;
  active: boolean;
  color: string | null;
  users: number[];
  managers: number[];
  billable: boolean;
  flat_billing: boolean | null;
  price_per_hour: number | null;
  price: number | null;
  estimated_price: number | null;
  hourly_billing_mode: string | null;
  budget_hours: number | null;
  adjustable_hours: boolean | null;
  invoiced: boolean | null;
  invoice_item_id: number | null;
  workflow_id: number | null;
  billing_type: string | null;
  created_on: string;
  updated_on: string;
};

type TaskRec = {
  id: number;
  name: string;
  code: string;
  project_id: number;
  tasklist_id: number;
  seq: number;
  description: string | null;
  complete: boolean;
  completed_on: string | null;
  completed_by: number | null;
  due_date: string | null;
  start_date: string | null;
  user_id: number | null;
  users: number[];
  billable: boolean;
  flat_billing: boolean | null;
  price_per_hour: number | null;
  budget_hours: number | null;
  estimated_price: number | null;
  price: number | null;
  invoiced: boolean | null;
  invoice_item_id: number | null;
  priority: number;
  status_id: number | null;
  files_count: number | null;
  comments_count: number | null;
  created_on: string;
  updated_on: string;
};

type EntryRec = {
  id: number;
  project_id: number;
  task_id: number;
  user_id: number;
  is_bulk: boolean;
  /** Interval entries only (the key is absent on bulk entries). */
  start_time?: string;
  /** Interval entries only; null while a timer runs. */
  end_time?: string | null;
  /** Bulk entries only. */
  date?: string;
  duration: number | null;
  description: string | null;
  added_manually: boolean;
  billed: boolean;
  invoice_item_id: number | null;
  created_on: string;
  updated_on: string;
};

type ExpenseRec = {
  id: number;
  client_id: number;
  project_id: number | null;
  user_id: number | null;
  amount: number;
  currency: string;
  date: string | null;
  notes: string | null;
  invoiced: boolean;
  invoice_item_id: number | null;
  tags: string[];
  file: string | null;
  image_thumb_large: string | null;
  image_thumb_medium: string | null;
  image_thumb_small: string | null;
  created_on: string;
  updated_on: string;
};

type MilestoneRec = {
  id: number;
  name: string;
  project_id: number;
  user_id: number | null;
  due_date: string;
  send_reminder: number;
  reminder_sent: boolean;
  complete: boolean;
  linked_tasklists: number[];
  created_on: string;
  updated_on: string;
};

// ---------------------------------------------------------------------------------------------
// Internal models

type Billing = 'tm' | 'flat' | 'non';
type StatusKey = 'Active' | 'Proposal' | 'On-hold' | 'Cancelled' | 'Completed' | 'Archived';

/** The default project statuses of a new account (2.17): name, active, readonly. */
const PROJECT_STATUSES: readonly (readonly [StatusKey, boolean, boolean])[] = [
  ['Active', true, true],
  ['Proposal', true, false],
  ['On-hold', false, false],
  ['Cancelled', false, false],
  ['Completed', false, false],
  ['Archived', false, true],
];

interface UserSpec {
  name: string | null;
  email: string;
  type: 'Admin' | 'Employee' | 'Guest';
  startDay: number;
  /** Last day the user works; Infinity unless retired. */
  endDay: number;
  position: string | null;
  nulls: boolean;
}

interface UserModel {
  readonly idx: number;
  readonly id: number;
  readonly rec: UserRec;
  readonly startDay: number;
  readonly endDay: number;
  readonly logsTime: boolean;
  /** Project indexes the user is on. */
  readonly projects: number[];
}

interface ClientSpec {
  name: string;
  active: boolean;
  currency: string;
  nulls: boolean;
}

interface ClientModel {
  readonly idx: number;
  id: number;
  readonly spec: ClientSpec;
  /** Day the client was created (before its first project). */
  sinceDay: number;
  readonly projects: number[];
  address: string | null;
}

interface ProjectSpec {
  name: string;
  clientIdx: number;
  status: StatusKey;
  billing: Billing;
  startDay: number;
  endDay: number;
  noTasks: boolean;
  code: string | null;
  description: string | null;
  /** Explicit member user indexes (tiny); otherwise chosen by window overlap. */
  users: number[] | null;
}

interface ProjectModel {
  readonly idx: number;
  readonly id: number;
  /** Index of the spec it was made from (tiny's edge cases name projects by spec). */
  readonly specIdx: number;
  readonly spec: ProjectSpec;
  readonly rec: ProjectRec;
  readonly createdMs: number;
  readonly workflow: WorkflowModel;
  /** Member user indexes (managers first). */
  readonly users: number[];
  readonly managers: number[];
  readonly tasks: number[];
  readonly tasklistIds: number[];
}

interface WorkflowModel {
  readonly id: number;
  readonly backlog: number;
  readonly complete: number;
  /** Ordinary statuses (neither backlog nor complete). */
  readonly open: number[];
}

interface InvoiceIntent {
  day: number;
  clientIdx: number;
  kind: 'time' | 'flat' | 'misc' | 'empty';
  /** time: bucket key; flat: project index. */
  ref: number;
  order: number;
}

interface InvoiceModel {
  readonly id: number;
  readonly clientIdx: number;
  readonly day: number;
}

interface LineSpec {
  item: string;
  description: string | null;
  price_unit: number;
  quantity: number;
  apply_tax: boolean | null;
  expenseIdx: number;
  entryIdxs: number[] | null;
  flatProject: number;
}

interface ThreadModel {
  readonly id: number;
  readonly projectIdx: number;
  readonly comments: number[];
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Formats epoch ms as `YYYY-MM-DDTHH:MM:SSZ`; flat string (replace() copies), no rope kept alive. */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** 0 = Sunday; 1970-01-01 (epoch day 0) was a Thursday. */
function weekdayOf(day: number): number {
  return (day + 4) % 7;
}

function isWeekend(day: number): boolean {
  const w = weekdayOf(day);
  return w === 0 || w === 6;
}

/** Months since year 0 (y × 12 + m) of an epoch day. */
function monthKeyOf(day: number): number {
  const d = new Date(day * DAY_MS);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

const MONTH_NAMES = words(
  'January|February|March|April|May|June|July|August|September|October|November|December',
);

/** `March 2025` for a month key. */
function monthName(monthKey: number): string {
  return `${MONTH_NAMES[monthKey % 12]} ${Math.floor(monthKey / 12)}`;
}

/** Epoch day of the first day of a month key. */
function firstDayOfMonth(monthKey: number): number {
  return Date.UTC(Math.floor(monthKey / 12), monthKey % 12, 1) / DAY_MS;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** ASCII slug for e-mail local parts and URLs. */
function slug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.+|\.+$/g, '');
}

/** Upper-case initials of the words of `s` (letters A–Z only, as project codes require). */
function initials(s: string): string {
  let out = '';
  for (const word of slug(s).split('.')) if (word.length > 0 && /[a-z]/.test(word[0])) out += word[0];
  return out.toUpperCase().slice(0, 3) || 'P';
}

/** Timestamp strings shared between records: one string per date and per minute of the current day. */
class Clock {
  private readonly dates = new Map<number, string>();
  private minuteDay = Number.NaN;
  private minutes: (string | undefined)[] = new Array(1440);

  /** `YYYY-MM-DD` of an epoch day. */
  date(day: number): string {
    let s = this.dates.get(day);
    if (s === undefined) {
      s = new Date(day * DAY_MS).toISOString().slice(0, 10);
      this.dates.set(day, s);
    }
    return s;
  }

  /** Date-time of minute `minute` (0–1439) of `day`; the cache holds only the current day's minutes. */
  minute(day: number, minute: number): string {
    if (day !== this.minuteDay) {
      this.minuteDay = day;
      this.minutes = new Array(1440);
    }
    let s = this.minutes[minute];
    if (s === undefined) {
      s = isoSeconds(day * DAY_MS + minute * MIN_MS);
      this.minutes[minute] = s;
    }
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// The generator

/** Generates a complete, referentially consistent Paymo account (see the module comment). */
export function generateDataset(opts: GenerateOptions): Dataset {
  return new Generator(opts).run();
}

class Generator {
  private readonly cfg: ScaleConfig;
  private readonly seed: number;
  private readonly root: Random;
  private readonly nowMs: number;
  private readonly nowDay: number;
  private readonly histStart: number;
  private readonly companyDay: number;
  private readonly clock = new Clock();
  private readonly out = new Map<string, Rec[]>();
  private readonly nextIds = new Map<string, number>();

  private companyId = 0;
  private companyRec: Rec = { id: 0 };
  private readonly statusIds = new Map<StatusKey, number>();
  private readonly workflows: WorkflowModel[] = [];
  private invoiceTemplateIds: number[] = [];
  private estimateTemplateIds: number[] = [];
  private readonly users: UserModel[] = [];
  /** User spec index → user model index (models are in sign-up order). */
  private readonly userBySpec: number[] = [];
  private readonly clients: ClientModel[] = [];
  private readonly projects: ProjectModel[] = [];
  private readonly tasks: TaskRec[] = [];
  private readonly taskProject: number[] = [];
  private readonly taskPlannedMs: number[] = [];
  private taskFirstMs = new Float64Array(0);
  private taskLastMs = new Float64Array(0);
  private readonly entries: EntryRec[] = [];
  /** (client, month) bucket → indexes of unbilled billable entries. */
  private readonly entryBuckets = new Map<number, number[]>();
  private readonly expenses: ExpenseRec[] = [];
  private readonly expenseBuckets = new Map<number, number[]>();
  private readonly invoices: InvoiceModel[] = [];
  private readonly threads: ThreadModel[] = [];
  private readonly taskNames: (string | undefined)[] = [];

  constructor(opts: GenerateOptions) {
    this.cfg = CONFIGS[opts.scale];
    this.seed = (opts.seed ?? DEFAULT_SEED) >>> 0;
    this.root = new Random(this.seed);
    this.nowMs = Math.floor((opts.now?.getTime() ?? Date.now()) / 1000) * 1000;
    this.nowDay = Math.floor(this.nowMs / DAY_MS);
    this.histStart = this.nowDay - this.cfg.historyDays;
    this.companyDay = this.histStart - (this.cfg.edgeCases ? 90 : 45);
    for (const path of GENERATED_PATHS) this.out.set(path, []);
  }

  run(): Dataset {
    this.makeCompany();
    this.makeStatusesAndWorkflows();
    this.makeTemplates();
    this.makeUsers();
    this.makeClientsAndProjects();
    this.makeTasks();
    this.makeEntries();
    this.finishTasks();
    this.makeSubtasksAndBookings();
    this.makeExpenses();
    this.makeInvoices();
    this.makeEstimates();
    this.makeRecurringProfiles();
    this.makeConversations();
    this.makeMisc();
    this.finishCompany();
    const apiKeys: { key: string; userId: number }[] = [];
    for (const u of this.users) {
      if (u.rec.active) apiKeys.push({ key: hexString(this.seed, u.id, 40), userId: u.id });
    }
    return { records: this.out, apiKeys, companyId: this.companyId };
  }

  // -------------------------------------------------------------------------------------------
  // plumbing

  private table(path: string): Rec[] {
    const t = this.out.get(path);
    if (!t) throw new Error(`generator: unknown path ${path}`);
    return t;
  }

  private id(path: string): number {
    const next = this.nextIds.get(path) ?? ID_BASE[path];
    if (next === undefined) throw new Error(`generator: no id base for ${path}`);
    this.nextIds.set(path, next + 1);
    return next;
  }

  private iso(ms: number): string {
    return isoSeconds(ms);
  }

  private date(day: number): string {
    return this.clock.date(day);
  }

  /** A time on `day` during office hours, as epoch ms. */
  private officeMs(rng: Random, day: number): number {
    return day * DAY_MS + rng.int(8 * 60, 17 * 60) * MIN_MS + rng.int(0, 59) * 1000;
  }

  /** created_on/updated_on pair: created at `createdMs`, updated somewhere between then and now. */
  private stamps(rng: Random, createdMs: number, updateChance = 0.3): [string, string] {
    const created = Math.min(createdMs, this.nowMs);
    const updated =
      rng.chance(updateChance) && created < this.nowMs
        ? created + Math.floor(rng.next() * (this.nowMs - created))
        : created;
    return [this.iso(created), this.iso(updated)];
  }

  // -------------------------------------------------------------------------------------------
  // company, statuses, workflows, templates

  private makeCompany(): void {
    const rng = this.root.fork(1);
    this.companyId = this.id('company');
    const [created] = this.stamps(rng, this.officeMs(rng, this.companyDay), 0);
    const edge = this.cfg.edgeCases;
    this.companyRec = {
      id: this.companyId,
      name: edge ? 'Studio "Nimbus" & Ørsted’s Ltd' : 'Nimbus Creative Agency',
      address: edge ? null : '42 Harbour Road\nBristol BS1 5TT',
      phone: edge ? null : '+44 117 496 0000',
      email: 'hello@nimbus.example',
      url: 'https://nimbus.example',
      fiscal_information: edge ? null : 'VAT GB 123 4567 89',
      country: 'GB',
      active: true,
      account_type: 'commercial',
      timezone: 'Europe/London',
      default_currency: 'USD',
      default_price_per_hour: '95',
      apply_tax_to_expenses: '0',
      tax_on_tax: '0',
      currency_position: 'left',
      next_invoice_number: '1',
      next_estimate_number: '1',
      invoice_format: '#INV-[yyyy][mm][dd]-[i]',
      estimate_format: '#EST-[yyyy][mm][dd]-[i]',
      online_payments: false,
      date_format: 'Y-m-d',
      time_format: 'H:i',
      decimal_sep: '.',
      thousands_sep: ',',
      week_start: '1',
      workday_start: '09:00',
      workday_end: '17:00',
      working_days: '1,2,3,4,5',
      due_interval: '30',
      default_tax: '20',
      default_tax2: '',
      default_tax_text: 'VAT',
      default_tax2_text: '',
      hide_tax_field: '0',
      language: 'en',
      payment_reminder_1: '0',
      payment_reminder_2: '0',
      payment_reminder_3: '0',
      remove_paymo_branding: '0',
      max_users: 0,
      current_users: 0,
      max_projects: null,
      current_projects: 0,
      max_invoices: null,
      current_invoices: 0,
      created_on: created,
      updated_on: created,
    };
    this.table('company').push(this.companyRec);
  }

  private makeStatusesAndWorkflows(): void {
    const rng = this.root.fork(2);
    const created = this.iso(this.officeMs(rng, this.companyDay));
    PROJECT_STATUSES.forEach(([name, active, readonly], seq) => {
      const id = this.id('projectstatuses');
      this.statusIds.set(name, id);
      this.table('projectstatuses').push({
        id,
        name,
        active,
        seq,
        readonly,
        created_on: created,
        updated_on: created,
      });
    });
    this.addWorkflow('Default', true, created, [
      ['Backlog', null, 'backlog'],
      ['To Do', '5BDBF6', ''],
      ['In progress', 'F8C13F', ''],
      ['Complete', '8BC34A', 'complete'],
    ]);
    if (this.cfg.secondWorkflow) {
      const later = this.iso(this.officeMs(rng, this.histStart - 10));
      this.addWorkflow('Design review', false, later, [
        ['Backlog', null, 'backlog'],
        ['Design', 'B39DDB', ''],
        ['Client review', 'FF8A65', ''],
        ['Complete', '8BC34A', 'complete'],
      ]);
    }
  }

  private addWorkflow(
    name: string,
    isDefault: boolean,
    created: string,
    statuses: readonly (readonly [string, string | null, string])[],
  ): void {
    const id = this.id('workflows');
    this.table('workflows').push({
      id,
      name,
      is_default: isDefault,
      created_on: created,
      updated_on: created,
    });
    let backlog = 0;
    let complete = 0;
    const open: number[] = [];
    statuses.forEach(([sName, color, action], seq) => {
      const sid = this.id('workflowstatuses');
      this.table('workflowstatuses').push({
        id: sid,
        name: sName,
        workflow_id: id,
        color,
        seq,
        action,
        created_on: created,
        updated_on: created,
      });
      if (action === 'backlog') backlog = sid;
      else if (action === 'complete') complete = sid;
      else open.push(sid);
    });
    this.workflows.push({ id, backlog, complete, open });
  }

  private makeTemplates(): void {
    const rng = this.root.fork(3);
    const created = this.iso(this.officeMs(rng, this.companyDay));
    const gallery = ['Classic', 'Modern', 'Minimal'];
    for (const kind of ['invoice', 'estimate'] as const) {
      const word = kind === 'invoice' ? 'Invoice' : 'Estimate';
      for (const name of gallery) {
        this.table(`${kind}templatesgallery`).push({
          id: this.id(`${kind}templatesgallery`),
          name,
          title: word,
          html: HTML_TEMPLATE,
          css: `.doc{font-family:${name === 'Classic' ? 'Georgia,serif' : 'Helvetica,sans-serif'}}`,
          image: `https://app.paymo.test/gallery/${kind}-${name.toLowerCase()}.png`,
          created_on: created,
          updated_on: created,
        });
      }
      const ids: number[] = [];
      for (const [name, isDefault] of [
        ['Classic', true],
        ['Modern', false],
      ] as const) {
        const id = this.id(`${kind}templates`);
        ids.push(id);
        this.table(`${kind}templates`).push({
          id,
          name,
          title: word,
          html: HTML_TEMPLATE,
          css: name === 'Modern' ? '.doc h1{color:#4A90E2}' : null,
          is_default: isDefault,
          created_on: created,
          updated_on: created,
        });
      }
      if (kind === 'invoice') this.invoiceTemplateIds = ids;
      else this.estimateTemplateIds = ids;
    }

    // Project templates: lists and tasks, no files or comments (2.16).
    const templates: readonly (readonly [string, readonly string[]])[] = [
      ['Website project', ['Discovery', 'Design', 'Build', 'Launch']],
      ['Monthly retainer', ['Support', 'Reporting']],
    ];
    for (const [name, lists] of templates) {
      const tid = this.id('projecttemplates');
      this.table('projecttemplates').push({ id: tid, name, created_on: created, updated_on: created });
      lists.forEach((listName, seq) => {
        const lid = this.id('projecttemplatestasklists');
        this.table('projecttemplatestasklists').push({
          id: lid,
          name: listName,
          seq,
          template_id: tid,
          created_on: created,
          updated_on: created,
        });
        const n = rng.int(1, 3);
        for (let i = 0; i < n; i++) {
          const billable = rng.chance(0.7);
          this.table('projecttemplatestasks').push({
            id: this.id('projecttemplatestasks'),
            name: `${rng.pick(TASK_VERBS)} ${rng.pick(TASK_OBJECTS)}`,
            template_id: tid,
            tasklist_id: lid,
            seq: i,
            description: rng.chance(0.5) ? rng.pick(TASK_DESCRIPTIONS) : null,
            billable,
            budget_hours: rng.chance(0.5) ? rng.int(2, 24) : null,
            price_per_hour: billable && rng.chance(0.3) ? rng.pick([85, 95, 120]) : null,
            // Template tasks name users; the users exist from the company's first day.
            users: [],
            created_on: created,
            updated_on: created,
          });
        }
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // users

  private userSpecs(rng: Random): UserSpec[] {
    const cfg = this.cfg;
    const specs: UserSpec[] = [];
    if (cfg.edgeCases) {
      const d0 = this.companyDay;
      specs.push(
        {
          name: "Zoë O'Brien",
          email: 'zoe.obrien@example.com',
          type: 'Admin',
          startDay: d0,
          endDay: Infinity,
          position: 'Founder & CEO',
          nulls: false,
        },
        {
          name: '田中 太郎',
          email: 'taro.tanaka@example.jp',
          type: 'Employee',
          startDay: d0 + 2,
          endDay: Infinity,
          position: 'Développeur',
          nulls: false,
        },
        {
          name: 'Jürgen "JJ" Müller',
          email: 'jj.mueller@example.de',
          type: 'Employee',
          startDay: d0 + 1,
          endDay: this.histStart + 30,
          position: null,
          nulls: true,
        },
        {
          name: 'Ana \\ Guest 🎨',
          email: 'ana.guest@client.example',
          type: 'Guest',
          startDay: d0 + 20,
          endDay: Infinity,
          position: null,
          nulls: true,
        },
      );
      return specs;
    }
    const names = new Set<string>();
    const span = this.nowDay - 30 - this.histStart;
    for (let i = 0; i < cfg.users; i++) {
      let name = `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
      while (names.has(name)) name = `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
      names.add(name);
      const type: UserSpec['type'] =
        i < cfg.admins ? 'Admin' : i >= cfg.users - cfg.guests ? 'Guest' : 'Employee';
      // The owner is there from the start; most of the team early, the rest joins over time.
      const startDay =
        i === 0
          ? this.companyDay
          : rng.chance(0.55)
            ? this.companyDay + rng.int(1, 40)
            : this.histStart + Math.floor(span * rng.next() ** 0.8);
      const retired = type === 'Employee' && i >= cfg.users - cfg.guests - cfg.retired;
      const endDay = retired
        ? Math.min(
            this.nowDay - 14,
            Math.max(startDay + 60, this.histStart + Math.floor(span * rng.float(0.3, 0.85))),
          )
        : Infinity;
      const domain = type === 'Guest' ? 'client.example' : 'nimbus.example';
      specs.push({
        name,
        email: `${slug(name)}${i}@${domain}`,
        type,
        startDay,
        endDay,
        position: type === 'Guest' ? null : i === 0 ? 'Managing Director' : rng.pick(POSITIONS),
        nulls: rng.chance(0.3),
      });
    }
    return specs;
  }

  private makeUsers(): void {
    const rng = this.root.fork(4);
    const specs = this.userSpecs(rng);
    // Ids follow sign-up order; the owner (first spec) signed up first.
    const order = specs.map((_, i) => i).sort((a, b) => specs[a].startDay - specs[b].startDay || a - b);
    for (const si of order) {
      const s = specs[si];
      this.userBySpec[si] = this.users.length;
      const id = this.id('users');
      // Accounts are created early on the first day, before the first working-day entry (07:30).
      const createdMs = s.startDay * DAY_MS + rng.int(6 * 60, 7 * 60 + 29) * MIN_MS;
      const retired = s.endDay !== Infinity;
      const updatedMs = retired
        ? this.officeMs(rng, s.endDay + 1)
        : createdMs + Math.floor(rng.next() * (this.nowMs - createdMs));
      const guest = s.type === 'Guest';
      const rec: UserRec = {
        id,
        name: s.name,
        email: s.email,
        type: s.type,
        active: !retired,
        timezone: s.nulls ? null : rng.pick(TIMEZONES),
        phone: s.nulls ? null : `+1 555 01${String(rng.int(0, 99)).padStart(2, '0')}`,
        skype: s.nulls || rng.chance(0.5) ? null : slug(s.name ?? 'user'),
        position: s.position,
        workday_hours: guest ? null : rng.pick([6, 7.5, 8, 8]),
        price_per_hour: guest || s.nulls ? null : rng.pick([60, 75, 90, 110, 135]),
        date_format: s.nulls ? null : rng.pick(['Y-m-d', 'd/m/Y', 'm/d/Y', 'd.m.Y']),
        time_format: s.nulls ? null : rng.pick(['H:i', 'h:i a']),
        decimal_sep: s.nulls ? null : '.',
        thousands_sep: s.nulls ? null : ',',
        week_start: s.nulls ? null : rng.pick(['0', '1']),
        language: s.nulls ? null : 'en',
        theme: s.nulls ? null : rng.pick(['light', 'dark']),
        assigned_projects: [],
        managed_projects: [],
        is_online: retired ? false : rng.chance(0.3),
        created_on: this.iso(createdMs),
        updated_on: this.iso(Math.max(createdMs, Math.min(updatedMs, this.nowMs))),
      };
      this.table('users').push(rec);
      this.users.push({
        idx: this.users.length,
        id,
        rec,
        startDay: s.startDay,
        endDay: s.endDay,
        logsTime: !guest,
        projects: [],
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // clients and projects

  private clientSpecs(rng: Random): ClientSpec[] {
    const cfg = this.cfg;
    if (cfg.edgeCases) {
      return [
        { name: 'Café Müller & Söhne', active: true, currency: 'EUR', nulls: false },
        { name: '"Quoted" Co', active: true, currency: 'USD', nulls: true },
        { name: "O'Brien \\ Backslash Ltd 日本語 🚀", active: true, currency: 'USD', nulls: false },
        { name: 'Archived Client Inc.', active: false, currency: 'USD', nulls: true },
      ];
    }
    const combos: string[] = [];
    for (const stem of CLIENT_STEMS) for (const suffix of CLIENT_SUFFIXES) combos.push(`${stem} ${suffix}`);
    rng.shuffle(combos);
    const specs: ClientSpec[] = [];
    for (let i = 0; i < cfg.clients; i++) {
      const name = i < CLIENT_SPECIALS.length && i % 3 === 1 ? CLIENT_SPECIALS[i] : combos[i % combos.length];
      specs.push({
        name: i >= combos.length ? `${name} ${Math.floor(i / combos.length) + 1}` : name,
        active: i < cfg.clients - cfg.archivedClients,
        currency: rng.chance(0.2) ? 'EUR' : 'USD',
        nulls: rng.chance(0.25),
      });
    }
    return specs;
  }

  private projectSpecs(rng: Random, clients: readonly ClientModel[]): ProjectSpec[] {
    const cfg = this.cfg;
    const h0 = this.histStart;
    const now = this.nowDay;
    if (cfg.edgeCases) {
      return [
        {
          name: 'Website Redesign – Café Müller',
          clientIdx: 0,
          status: 'Active',
          billing: 'tm',
          startDay: h0 - 10,
          endDay: now,
          noTasks: false,
          code: 'WEB',
          description: '<p>Relaunch of the café’s site, “mobile first”.</p>',
          users: [0, 1, 2],
        },
        {
          name: 'Brand "Identity" 2.0 — 日本語 🚀',
          clientIdx: 1,
          status: 'Active',
          billing: 'flat',
          startDay: h0 - 5,
          endDay: now,
          noTasks: false,
          code: 'BRAND2',
          description: null,
          users: [0, 1, 3],
        },
        {
          name: "O'Brien's \\ Internal Tools",
          clientIdx: 2,
          status: 'Active',
          billing: 'non',
          startDay: h0 + 3,
          endDay: now,
          noTasks: false,
          code: 'OBT',
          description: 'Quotes: \' " \\ and a tab\tinside.',
          users: [0, 1],
        },
        {
          name: 'Legacy Portal',
          clientIdx: 3,
          status: 'Archived',
          billing: 'tm',
          startDay: h0 - 40,
          endDay: h0 + 28,
          noTasks: false,
          code: 'LEG',
          description: null,
          users: [2, 0],
        },
        {
          name: 'Empty Project',
          clientIdx: 2,
          status: 'Proposal',
          billing: 'non',
          startDay: now - 3,
          endDay: now,
          noTasks: true,
          code: null,
          description: null,
          users: [0],
        },
      ];
    }
    const specs: ProjectSpec[] = [];
    const statusWeights: readonly (readonly [StatusKey, number])[] = [
      ['Active', 55],
      ['Completed', 20],
      ['Archived', 8],
      ['On-hold', 6],
      ['Cancelled', 4],
      ['Proposal', 7],
    ];
    const weights = statusWeights.map(([, w]) => w);
    const clientWeights = clients.map(() => rng.float(0.3, 2));
    for (let p = 0; p < cfg.projects; p++) {
      // Every client gets at least one project; the rest go to bigger clients more often.
      const clientIdx = p < clients.length ? p : rng.weighted(clientWeights);
      const client = clients[clientIdx];
      let status = statusWeights[rng.weighted(weights)][0];
      if (!client.spec.active) status = rng.chance(0.7) ? 'Archived' : 'Completed';
      let startDay: number;
      let endDay: number;
      if (status === 'Active') {
        startDay = h0 - 120 + Math.floor((now - 5 - (h0 - 120)) * rng.next() ** 0.7);
        endDay = now;
      } else if (status === 'Proposal') {
        startDay = now - rng.int(2, 25);
        endDay = now;
      } else {
        const length = rng.int(30, 240);
        endDay = rng.int(h0 + 20, now - 7);
        startDay = endDay - length;
      }
      const topic = rng.pick(PROJECT_TOPICS);
      const billing: Billing = rng.chance(0.55) ? 'tm' : rng.chance(0.35) ? 'flat' : 'non';
      const stem = client.spec.name.split(' ')[0];
      specs.push({
        name: rng.chance(0.5)
          ? `${stem} ${topic}`
          : `${topic} ${new Date(startDay * DAY_MS).getUTCFullYear()}`,
        clientIdx,
        status,
        billing,
        startDay,
        endDay,
        noTasks: false,
        code: `${initials(topic)}${p + 1}`,
        description: rng.chance(0.4) ? null : `<p>${topic} for ${client.spec.name}.</p>`,
        users: null,
      });
    }
    return specs;
  }

  private makeClientsAndProjects(): void {
    const rng = this.root.fork(5);
    const cspecs = this.clientSpecs(rng);
    const clients: ClientModel[] = cspecs.map((spec, idx) => ({
      idx,
      id: 0,
      spec,
      sinceDay: 0,
      projects: [],
      address: null,
    }));
    const pspecs = this.projectSpecs(rng, clients);
    for (let p = 0; p < pspecs.length; p++) clients[pspecs[p].clientIdx].projects.push(p);
    for (const c of clients) {
      let first = this.nowDay - rng.int(5, 60);
      for (const p of c.projects) first = Math.min(first, pspecs[p].startDay);
      c.sinceDay = Math.max(this.companyDay + 1, first - rng.int(1, 20));
    }
    // Client ids follow creation order.
    const corder = clients.slice().sort((a, b) => a.sinceDay - b.sinceDay || a.idx - b.idx);
    for (const c of corder) c.id = this.id('clients');
    for (const c of corder) this.pushClient(rng, c);
    this.clients.push(...clients);

    // Project ids follow creation order too; project models are indexed by that order.
    const porder = pspecs.map((_, i) => i).sort((a, b) => pspecs[a].startDay - pspecs[b].startDay || a - b);
    const loggers = this.users.filter((u) => u.logsTime);
    const guests = this.users.filter((u) => !u.logsTime);
    for (const c of clients) c.projects.length = 0;
    for (const si of porder) {
      const s = pspecs[si];
      const idx = this.projects.length;
      this.clients[s.clientIdx].projects.push(idx);
      let members: number[];
      if (s.users) {
        members = s.users.map((i) => this.userBySpec[i]);
      } else {
        const candidates = loggers.filter((u) => u.startDay <= s.endDay - 7 && u.endDay >= s.startDay + 7);
        const pool = candidates.length > 0 ? candidates : loggers.slice(0, 1);
        const [lo, hi] = this.cfg.usersPerProject;
        members = rng.sample(pool, rng.int(lo, hi)).map((u) => u.idx);
        if (guests.length > 0 && s.status === 'Active' && rng.chance(0.1)) members.push(rng.pick(guests).idx);
      }
      const managerPool = members.filter((m) => this.users[m].logsTime);
      const managers = managerPool.length === 0 ? [] : managerPool.slice(0, rng.chance(0.2) ? 2 : 1);
      const wf = this.workflows.length > 1 && rng.chance(0.2) ? this.workflows[1] : this.workflows[0];
      const createdMs = this.officeMs(rng, s.startDay - rng.int(1, 5));
      const statusActive = PROJECT_STATUSES.find(([n]) => n === s.status)![1];
      const rate = s.billing === 'tm' ? rng.pick([75, 85, 95, 110, 125, 150]) : null;
      const price = s.billing === 'flat' ? rng.int(20, 400) * 50 : null;
      const closedMs = statusActive
        ? this.nowMs
        : Math.min(this.nowMs, this.officeMs(rng, s.endDay + rng.int(1, 10)));
      const rec: ProjectRec = {
        id: this.id('projects'),
        name: s.name,
        code: s.code,
        task_code_increment: 0,
        description: s.description,
        client_id: this.clients[s.clientIdx].id,
        status_id: this.statusIds.get(s.status)!,
        active: statusActive,
        color: this.cfg.edgeCases && s.noTasks ? null : rng.pick(PROJECT_COLORS),
        users: members.map((m) => this.users[m].id),
        managers: managers.map((m) => this.users[m].id),
        billable: s.billing !== 'non',
        flat_billing: s.billing === 'non' ? (this.cfg.edgeCases ? null : false) : s.billing === 'flat',
        price_per_hour: rate,
        price,
        estimated_price: null,
        hourly_billing_mode: s.billing === 'tm' ? rng.pick([null, null, 'project', 'task']) : null,
        budget_hours: rng.chance(0.4) ? rng.int(4, 80) * 5 : null,
        adjustable_hours: rng.chance(0.2) ? true : null,
        invoiced: s.billing === 'flat' ? false : null,
        invoice_item_id: null,
        workflow_id: wf.id,
        // The docs show only `non` and `pph`; flat-rate projects get null rather than an invented value.
        billing_type: s.billing === 'non' ? 'non' : s.billing === 'tm' ? 'pph' : null,
        created_on: this.iso(createdMs),
        // A closed project was last touched when it was closed, after its last time entry.
        updated_on: this.iso(
          Math.max(createdMs, statusActive ? closedMs - rng.int(0, 3) * DAY_MS : closedMs),
        ),
      };
      this.table('projects').push(rec);
      this.projects.push({
        idx,
        id: rec.id,
        specIdx: si,
        spec: s,
        rec,
        createdMs,
        workflow: wf,
        users: members,
        managers,
        tasks: [],
        tasklistIds: [],
      });
      for (const m of members) this.users[m].projects.push(idx);
    }
    for (const p of this.projects) {
      for (const m of p.users) this.users[m].rec.assigned_projects.push(p.id);
      for (const m of p.managers) this.users[m].rec.managed_projects.push(p.id);
    }
  }

  private pushClient(rng: Random, c: ClientModel): void {
    const s = c.spec;
    const n = s.nulls;
    const [city, country, state, postal] = rng.pick(CITIES);
    c.address = n
      ? null
      : `${rng.int(1, 250)} ${rng.pick(STREETS)}${rng.chance(0.3) ? `\nSuite ${rng.int(100, 900)}` : ''}`;
    const createdMs = this.officeMs(rng, c.sinceDay);
    const [created, updated] = this.stamps(rng, createdMs, s.active ? 0.3 : 1);
    this.table('clients').push({
      id: c.id,
      name: s.name,
      address: c.address,
      city: n ? null : city,
      state: n ? null : state,
      postal_code: n ? null : postal,
      country: n ? null : country,
      phone: n ? null : `+1 555 02${String(rng.int(0, 99)).padStart(2, '0')}`,
      fax: null,
      email: n ? null : `billing@${slug(s.name).replace(/\./g, '-') || 'client'}.example`,
      website: n ? null : `https://${slug(s.name).replace(/\./g, '-') || 'client'}.example`,
      active: s.active,
      fiscal_information: n || rng.chance(0.5) ? null : `Tax ID ${rng.int(100000, 999999)}`,
      created_on: created,
      updated_on: updated,
    });
    const contacts = this.cfg.edgeCases ? (c.idx === 0 ? 2 : 1) : rng.int(0, 3);
    for (let i = 0; i < contacts; i++) {
      const edgeName = this.cfg.edgeCases
        ? i === 0
          ? "Siobhán O'Brien"
          : 'Max "The Boss" Mustermann'
        : null;
      const name = edgeName ?? `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
      const [cc, cu] = this.stamps(rng, createdMs + rng.int(0, 5) * DAY_MS);
      this.table('clientcontacts').push({
        id: this.id('clientcontacts'),
        client_id: c.id,
        name,
        email: n && i > 0 ? null : `${slug(name)}@${slug(s.name).replace(/\./g, '-') || 'client'}.example`,
        mobile: rng.chance(0.5) ? `+1 555 03${String(rng.int(0, 99)).padStart(2, '0')}` : null,
        phone: rng.chance(0.5) ? `+1 555 04${String(rng.int(0, 99)).padStart(2, '0')}` : null,
        fax: null,
        skype: null,
        notes: rng.chance(0.3) ? 'Prefers e-mail; CC accounting on invoices.' : null,
        position: rng.chance(0.6) ? rng.pick(['CEO', 'Marketing Lead', 'CTO', 'Office Manager']) : null,
        is_main: i === 0,
        access: i === 0 && rng.chance(0.4),
        created_on: cc,
        updated_on: cu,
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // task lists, milestones, tasks

  /** Splits `total` over `weights` proportionally (largest remainder), so the sum is exact. */
  private apportion(total: number, weights: readonly number[]): number[] {
    const sum = weights.reduce((a, b) => a + b, 0);
    if (sum === 0) return weights.map(() => 0);
    const raw = weights.map((w) => (total * w) / sum);
    const out = raw.map(Math.floor);
    let left = total - out.reduce((a, b) => a + b, 0);
    const order = raw
      .map((r, i) => [r - Math.floor(r), i] as const)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k][1]]++;
    return out;
  }

  private makeTasks(): void {
    const rng = this.root.fork(6);
    const weights = this.projects.map((p) =>
      p.spec.noTasks
        ? 0
        : Math.max(10, Math.min(p.spec.endDay, this.nowDay) - p.spec.startDay) ** 0.6 * rng.float(0.5, 1.5),
    );
    const counts = this.apportion(this.cfg.tasks, weights);
    const tasklists = this.table('tasklists');
    const milestones = this.table('milestones');
    const tasks = this.tasks;
    for (const p of this.projects) {
      const n = counts[p.idx];
      if (n === 0) continue;
      const nLists = clamp(Math.round(n / (this.cfg.edgeCases ? 3 : 8)), 1, 8);
      const listNames = rng.sample(TASKLIST_NAMES, nLists);
      // Milestones first so lists can point at them; linked_tasklists is filled as lists link.
      const ms: MilestoneRec[] = [];
      if (nLists >= 2 && (this.cfg.edgeCases ? p.specIdx === 0 : rng.chance(0.5))) {
        const nm = rng.int(1, Math.min(3, nLists));
        for (let i = 0; i < nm; i++) {
          const dueDay =
            p.spec.startDay +
            Math.floor(
              (Math.min(p.spec.endDay, this.nowDay + 60) - p.spec.startDay + 30) * rng.float(0.3, 1),
            );
          const sendReminder = rng.pick([0, 24, 48]);
          const created = this.iso(p.createdMs + rng.int(1, 60) * MIN_MS);
          const rec: MilestoneRec = {
            id: this.id('milestones'),
            name: i === 0 ? 'Beta' : i === 1 ? 'Launch' : 'Handover',
            project_id: p.id,
            user_id:
              this.cfg.edgeCases && i === 1
                ? null
                : p.managers.length > 0
                  ? this.users[p.managers[0]].id
                  : null,
            due_date: this.date(dueDay),
            send_reminder: sendReminder,
            reminder_sent: sendReminder > 0 && dueDay * DAY_MS - sendReminder * HOUR_MS < this.nowMs,
            complete: dueDay < this.nowDay && rng.chance(0.8),
            linked_tasklists: [],
            created_on: created,
            updated_on: created,
          };
          milestones.push(rec);
          ms.push(rec);
        }
      }
      for (let l = 0; l < nLists; l++) {
        const id = this.id('tasklists');
        const milestone = ms.length > 0 && (l === 0 || rng.chance(0.5)) ? ms[l % ms.length] : null;
        if (milestone) milestone.linked_tasklists.push(id);
        const created = this.iso(p.createdMs + (l + 1) * MIN_MS);
        tasklists.push({
          id,
          name: listNames[l],
          seq: l,
          project_id: p.id,
          milestone_id: milestone ? milestone.id : null,
          created_on: created,
          updated_on: created,
        });
        p.tasklistIds.push(id);
      }
      const loggers = p.users.filter((m) => this.users[m].logsTime);
      const seqs = new Array<number>(nLists).fill(0);
      const billing = p.spec.billing;
      const placeholder = p.rec.created_on;
      for (let i = 0; i < n; i++) {
        const list = i < nLists ? i : rng.int(0, nLists - 1);
        const spanDays = Math.max(1, Math.min(p.spec.endDay, this.nowDay) - p.spec.startDay);
        const plannedDay = p.spec.startDay + Math.floor(spanDays * rng.next() ** 1.3);
        const plannedMs = this.officeMs(rng, plannedDay);
        const r = rng.next();
        const nUsers =
          this.cfg.edgeCases && p.specIdx === 0 && i === 0 ? 0 : r < 0.1 ? 0 : r < 0.7 ? 1 : r < 0.95 ? 2 : 3;
        const users = rng.sample(loggers, nUsers).map((m) => this.users[m].id);
        const flat = billing === 'tm' && rng.chance(0.05);
        const billable = billing === 'tm' ? rng.chance(0.9) : billing === 'flat';
        const ownRate =
          billing === 'tm' && billable && !flat && rng.chance(0.1) ? rng.pick([60, 140, 180]) : null;
        const budget = rng.chance(0.4) ? rng.int(1, 40) : null;
        const rate = ownRate ?? p.rec.price_per_hour;
        const estimated = flat
          ? rng.int(5, 60) * 50
          : billable && budget !== null && rate !== null
            ? budget * rate
            : null;
        const rec: TaskRec = {
          id: this.id('tasks'),
          name:
            this.cfg.edgeCases && i === 1
              ? 'Fix “smart quotes” & \'single\' "double" \\ backslash — ünïcödé 🐛'
              : this.taskName(rng),
          code: `${p.spec.code}-${i + 1}`,
          project_id: p.id,
          tasklist_id: p.tasklistIds[list],
          seq: seqs[list]++,
          description: rng.chance(0.5) ? null : rng.pick(TASK_DESCRIPTIONS),
          complete: false,
          completed_on: null,
          completed_by: null,
          due_date: rng.chance(0.6) ? this.date(plannedDay + rng.int(5, 60)) : null,
          start_date: rng.chance(0.2) ? this.date(plannedDay) : null,
          user_id: p.managers.length > 0 ? this.users[p.managers[0]].id : this.users[0].id,
          users,
          billable,
          flat_billing: billing === 'tm' ? flat : null,
          price_per_hour: ownRate,
          budget_hours: budget,
          estimated_price: estimated,
          price: flat ? estimated : null,
          invoiced: flat ? false : null,
          invoice_item_id: null,
          priority: rng.pick([50, 50, 50, 25, 75, 100]),
          status_id: p.workflow.backlog,
          files_count: 0,
          comments_count: 0,
          created_on: placeholder,
          updated_on: placeholder,
        };
        p.tasks.push(tasks.length);
        tasks.push(rec);
        this.taskProject.push(p.idx);
        this.taskPlannedMs.push(plannedMs);
      }
      p.rec.task_code_increment = n;
      let estimated = 0;
      let any = false;
      for (const t of p.tasks) {
        const e = tasks[t].estimated_price;
        if (tasks[t].billable && e !== null) {
          estimated += e;
          any = true;
        }
      }
      p.rec.estimated_price = any ? roundMoney(estimated) : null;
    }
    // The big tables are handed over as they are, not copied (Map.set keeps the key's position).
    this.out.set('tasks', tasks);
  }

  /** A task name from the pools; each verb/object pair is built once and shared. */
  private taskName(rng: Random): string {
    const k = rng.int(0, TASK_VERBS.length - 1) * TASK_OBJECTS.length + rng.int(0, TASK_OBJECTS.length - 1);
    let name = this.taskNames[k];
    if (name === undefined) {
      name = `${TASK_VERBS[Math.floor(k / TASK_OBJECTS.length)]} ${TASK_OBJECTS[k % TASK_OBJECTS.length]}`;
      this.taskNames[k] = name;
    }
    return name;
  }

  // -------------------------------------------------------------------------------------------
  // time entries

  /** Fills `scratch` with the projects `u` can log time on, on `day`; returns how many. */
  private activeProjects(u: UserModel, day: number, scratch: number[]): number {
    if (day < u.startDay || day > u.endDay) return 0;
    let n = 0;
    for (const p of u.projects) {
      const pm = this.projects[p];
      if (pm.tasks.length > 0 && pm.spec.startDay <= day && day <= pm.spec.endDay) scratch[n++] = p;
    }
    return n;
  }

  private makeEntries(): void {
    const rng = this.root.fork(7);
    const cfg = this.cfg;
    const nTasks = this.tasks.length;
    this.taskFirstMs = new Float64Array(nTasks).fill(Number.POSITIVE_INFINITY);
    this.taskLastMs = new Float64Array(nTasks).fill(Number.NEGATIVE_INFINITY);
    const nUsers = this.users.length;
    // (project, user) → tasks the user is assigned to.
    const mine = new Map<number, number[]>();
    const userIdx = new Map<number, number>(this.users.map((u) => [u.id, u.idx]));
    for (let t = 0; t < nTasks; t++) {
      const p = this.taskProject[t];
      for (const uid of this.tasks[t].users) {
        const key = p * nUsers + userIdx.get(uid)!;
        const list = mine.get(key);
        if (list) list.push(t);
        else mine.set(key, [t]);
      }
    }
    const loggers = this.users.filter((u) => u.logsTime);
    const scratch: number[] = [];
    const weight = (day: number): number => 0.55 + (0.9 * (day - this.histStart)) / cfg.historyDays;
    let slots = 0;
    for (let d = this.histStart; d <= this.nowDay; d++) {
      if (isWeekend(d)) continue;
      const w = weight(d);
      for (const u of loggers) if (this.activeProjects(u, d, scratch) > 0) slots += w;
    }
    const perW = slots > 0 ? cfg.entries / slots : 0;
    const boundary = cfg.edgeCases ? firstDayOfMonth(monthKeyOf(this.nowDay) - 1) : Number.NaN;
    const lastEndToday = new Float64Array(nUsers);
    const durations = new Float64Array(MAX_PER_DAY);

    for (let d = this.histStart; d <= this.nowDay; d++) {
      const monthKey = monthKeyOf(d);
      if (d === boundary - 1 || d === boundary) this.boundaryEntries(d, d === boundary);
      if (isWeekend(d)) continue;
      const lambda = perW * weight(d);
      const dayMs = d * DAY_MS;
      for (const u of loggers) {
        const n = this.activeProjects(u, d, scratch);
        if (n === 0) continue;
        const k = Math.min(MAX_PER_DAY, Math.floor(lambda * (0.6 + 0.8 * rng.next()) + rng.next()));
        if (k <= 0) continue;
        // Lay the day out so it always fits: k durations share a 6–9 h budget, the gaps share
        // what is left before LAST_MINUTE, with a lunch break in the middle.
        let minute = 450 + rng.int(0, 120);
        const lunch = k > 1 ? rng.int(20, 60) : 0;
        const budget = rng.int(360, 540);
        let sumW = 0;
        for (let j = 0; j < k; j++) sumW += durations[j] = 0.35 + 1.3 * rng.next();
        const maxGap = Math.max(
          0,
          Math.min(15, Math.floor((LAST_MINUTE - minute - lunch - budget) / k) - 10),
        );
        let prev = -1;
        for (let j = 0; j < k; j++) {
          if (j === k >> 1) minute += lunch;
          const dur = clamp(Math.round((budget * durations[j]) / sumW), 10, 300);
          const end = minute + dur;
          if (end > LAST_MINUTE) break;
          const endMs = dayMs + end * MIN_MS;
          if (endMs > this.nowMs) break;
          let p = prev;
          if (p < 0 || rng.next() < 0.5) p = scratch[Math.floor(rng.next() * n)];
          prev = p;
          const assigned = mine.get(p * nUsers + u.idx);
          const pool = assigned && rng.next() < 0.8 ? assigned : this.projects[p].tasks;
          const t = pool[Math.floor(rng.next() * pool.length)];
          this.pushEntry(rng, d, minute, end, t, u, monthKey);
          if (d === this.nowDay) lastEndToday[u.idx] = endMs;
          minute = end + rng.int(0, maxGap);
        }
      }
    }
    this.runningTimers(rng, loggers, lastEndToday, mine);
    this.out.set('entries', this.entries);
  }

  /** Appends one working-day entry; interval (timer or manual) or bulk. */
  private pushEntry(
    rng: Random,
    day: number,
    startMin: number,
    endMin: number,
    t: number,
    u: UserModel,
    monthKey: number,
  ): void {
    const task = this.tasks[t];
    const startMs = day * DAY_MS + startMin * MIN_MS;
    const endMs = day * DAY_MS + endMin * MIN_MS;
    const duration = (endMin - startMin) * 60;
    const end = this.clock.minute(day, endMin);
    const description =
      this.cfg.edgeCases && rng.chance(0.15)
        ? null
        : ENTRY_DESCRIPTIONS[Math.floor(rng.next() * ENTRY_DESCRIPTIONS.length)];
    const idx = this.entries.length;
    if (rng.next() < this.cfg.bulkShare) {
      this.entries.push({
        id: ID_BASE.entries + idx,
        project_id: task.project_id,
        task_id: task.id,
        user_id: u.id,
        is_bulk: true,
        date: this.clock.date(day),
        duration,
        description,
        added_manually: true,
        billed: false,
        invoice_item_id: null,
        created_on: end,
        updated_on: end,
      });
    } else {
      const start = this.clock.minute(day, startMin);
      const timer = rng.next() < 0.8;
      this.entries.push({
        id: ID_BASE.entries + idx,
        project_id: task.project_id,
        task_id: task.id,
        user_id: u.id,
        is_bulk: false,
        start_time: start,
        end_time: end,
        duration,
        description,
        added_manually: !timer,
        billed: false,
        invoice_item_id: null,
        created_on: timer ? start : end,
        updated_on: end,
      });
    }
    if (startMs < this.taskFirstMs[t]) this.taskFirstMs[t] = startMs;
    if (endMs > this.taskLastMs[t]) this.taskLastMs[t] = endMs;
    if (task.billable && !task.flat_billing && this.projects[this.taskProject[t]].spec.billing === 'tm') {
      const key = this.projects[this.taskProject[t]].spec.clientIdx * 100_000 + monthKey;
      const list = this.entryBuckets.get(key);
      if (list) list.push(idx);
      else this.entryBuckets.set(key, [idx]);
    }
  }

  /** tiny: entries that start, end or sit exactly on a month boundary (00:00:00 of the 1st). */
  private boundaryEntries(day: number, isFirst: boolean): void {
    const p = this.projects.find((x) => x.specIdx === 0)!;
    const [ua, ub] = [this.users[p.users[0]], this.users[p.users[1]]];
    const t = p.tasks[0];
    if (isFirst) {
      // 00:00 → 01:00 on the 1st, and a bulk entry dated the 1st.
      this.pushBoundary(t, ua, day, 0, 60, 3600, false);
      this.pushBoundary(t, ua, day, 0, 0, 2 * 3600, true);
    } else {
      // 23:00 → 00:00 (ends exactly on the boundary), 23:30 → 00:30 (spans it), a bulk entry on the last day.
      this.pushBoundary(t, ua, day, 23 * 60, 24 * 60, 3600, false);
      this.pushBoundary(t, ub, day, 23 * 60 + 30, 24 * 60 + 30, 3600, false);
      this.pushBoundary(t, ub, day, 0, 0, 3 * 3600, true);
    }
  }

  private pushBoundary(
    t: number,
    u: UserModel,
    day: number,
    startMin: number,
    endMin: number,
    duration: number,
    bulk: boolean,
  ): void {
    const task = this.tasks[t];
    const idx = this.entries.length;
    const startMs = day * DAY_MS + startMin * MIN_MS;
    const endMs = bulk ? day * DAY_MS + 18 * HOUR_MS : day * DAY_MS + endMin * MIN_MS;
    const end = this.iso(endMs);
    const base = {
      id: ID_BASE.entries + idx,
      project_id: task.project_id,
      task_id: task.id,
      user_id: u.id,
      is_bulk: bulk,
    };
    const rest = {
      duration,
      description: 'Month-end close',
      added_manually: true,
      billed: false,
      invoice_item_id: null,
      created_on: end,
      updated_on: end,
    };
    this.entries.push(
      (bulk
        ? { ...base, date: this.clock.date(day), ...rest }
        : { ...base, start_time: this.iso(startMs), end_time: end, ...rest }) as EntryRec,
    );
    if (startMs < this.taskFirstMs[t]) this.taskFirstMs[t] = startMs;
    if (endMs > this.taskLastMs[t]) this.taskLastMs[t] = endMs;
  }

  /** Running timers (end_time null, duration null), at most one per user, started after their last entry today. */
  private runningTimers(
    rng: Random,
    loggers: readonly UserModel[],
    lastEndToday: Float64Array,
    mine: Map<number, number[]>,
  ): void {
    const scratch: number[] = [];
    let made = 0;
    for (const u of loggers) {
      if (made >= this.cfg.runningTimers) break;
      if (!u.rec.active) continue;
      const n = this.activeProjects(u, this.nowDay, scratch);
      if (n === 0) continue;
      const p = scratch[rng.int(0, n - 1)];
      const assigned = mine.get(p * this.users.length + u.idx);
      const pool = assigned ?? this.projects[p].tasks;
      const t = pool[rng.int(0, pool.length - 1)];
      const task = this.tasks[t];
      const startMs = Math.min(
        this.nowMs,
        Math.max(lastEndToday[u.idx], this.nowMs - rng.int(5, 150) * MIN_MS),
      );
      const start = this.iso(startMs);
      const idx = this.entries.length;
      this.entries.push({
        id: ID_BASE.entries + idx,
        project_id: task.project_id,
        task_id: task.id,
        user_id: u.id,
        is_bulk: false,
        start_time: start,
        end_time: null,
        duration: null,
        description: this.cfg.edgeCases ? 'Running timer ⏱' : 'Implementation',
        added_manually: false,
        billed: false,
        invoice_item_id: null,
        created_on: start,
        updated_on: start,
      });
      if (startMs < this.taskFirstMs[t]) this.taskFirstMs[t] = startMs;
      if (startMs > this.taskLastMs[t]) this.taskLastMs[t] = startMs;
      made++;
    }
  }

  // -------------------------------------------------------------------------------------------
  // task completion, assignments, subtasks, bookings

  private finishTasks(): void {
    const rng = this.root.fork(8);
    const userIds = this.table('userstasks');
    for (let t = 0; t < this.tasks.length; t++) {
      const task = this.tasks[t];
      const p = this.projects[this.taskProject[t]];
      const first = this.taskFirstMs[t];
      const last = this.taskLastMs[t];
      // Created between the project's creation and the first sign of the task (plan or first entry).
      const hi = clamp(Math.min(this.taskPlannedMs[t], first), p.createdMs, this.nowMs);
      const createdMs = hi - Math.floor(rng.next() * Math.min(hi - p.createdMs, 3 * DAY_MS));
      const created = this.iso(createdMs);
      const activity = last === Number.NEGATIVE_INFINITY ? createdMs : last;
      const status = p.spec.status;
      let complete: boolean;
      if (status === 'Proposal') complete = false;
      else if (status === 'Completed' || status === 'Archived' || status === 'Cancelled') complete = true;
      else if (status === 'On-hold') complete = rng.chance(0.5);
      else {
        const idle = this.nowMs - activity;
        complete = rng.chance(idle > 30 * DAY_MS ? 0.85 : idle > 7 * DAY_MS ? 0.4 : 0.15);
      }
      if (this.cfg.edgeCases && p.specIdx === 0 && t === p.tasks[0]) complete = false;
      // A running timer's task stays open.
      if (this.hasTimer(task.id)) complete = false;
      task.created_on = created;
      if (complete) {
        const cap = p.rec.active ? this.nowMs : Math.max(activity, p.spec.endDay * DAY_MS + 20 * HOUR_MS);
        const doneMs = Math.max(activity, Math.min(cap, activity + rng.int(10, 3 * 24 * 60) * MIN_MS));
        task.complete = true;
        task.completed_on = this.iso(Math.min(doneMs, this.nowMs));
        task.completed_by = task.users.length > 0 ? rng.pick(task.users) : task.user_id;
        task.status_id = p.workflow.complete;
        task.updated_on = task.completed_on;
      } else {
        task.status_id =
          this.nowMs - activity < 7 * DAY_MS && last !== Number.NEGATIVE_INFINITY
            ? p.workflow.open[p.workflow.open.length - 1]
            : rng.chance(0.5)
              ? p.workflow.backlog
              : rng.pick(p.workflow.open);
        task.updated_on = this.iso(Math.min(this.nowMs, Math.max(activity, p.createdMs)));
      }
      if (task.updated_on < task.created_on) task.updated_on = task.created_on;
      for (const uid of task.users) {
        userIds.push({
          id: this.id('userstasks'),
          user_id: uid,
          task_id: task.id,
          created_on: created,
          updated_on: created,
        });
      }
    }
  }

  private timerTasks: Set<number> | null = null;

  private hasTimer(taskId: number): boolean {
    if (!this.timerTasks) {
      this.timerTasks = new Set();
      // Timers are the last entries pushed; scan backwards until the first finished one.
      for (let i = this.entries.length - 1; i >= 0; i--) {
        const e = this.entries[i] as EntryRec & { end_time?: string | null };
        if (e.is_bulk || e.end_time !== null) break;
        this.timerTasks.add(e.task_id);
      }
    }
    return this.timerTasks.has(taskId);
  }

  private makeSubtasksAndBookings(): void {
    const rng = this.root.fork(9);
    const subtasks = this.table('subtasks');
    for (const task of this.tasks) {
      if (!rng.chance(this.cfg.subtaskShare)) continue;
      const n = rng.int(1, 5);
      const createdMs = Date.parse(task.created_on);
      const names = rng.sample(SUBTASK_NAMES, n);
      for (let i = 0; i < n; i++) {
        const complete = task.complete || rng.chance(0.35);
        const doneMs = task.completed_on
          ? Date.parse(task.completed_on)
          : createdMs + Math.floor(rng.next() * (this.nowMs - createdMs));
        const created = this.iso(createdMs + i * MIN_MS);
        subtasks.push({
          id: this.id('subtasks'),
          name: names[i],
          complete,
          project_id: task.project_id,
          user_id: task.user_id,
          task_id: task.id,
          seq: i,
          completed_on: complete ? this.iso(Math.max(doneMs, createdMs + i * MIN_MS)) : null,
          completed_by: complete ? (task.users[0] ?? task.user_id) : null,
          created_on: created,
          updated_on: complete ? this.iso(Math.max(doneMs, createdMs + i * MIN_MS)) : created,
        });
      }
    }
    const bookings = this.table('bookings');
    const retired = new Set(this.users.filter((u) => !u.rec.active).map((u) => u.id));
    for (const ut of this.table('userstasks')) {
      const task = this.tasks[(ut.task_id as number) - ID_BASE.tasks];
      // Bookings plan open work around today, so only for people still on the team.
      if (task.complete || retired.has(ut.user_id as number) || !rng.chance(this.cfg.bookingShare)) continue;
      const startDay = this.nowDay + rng.int(-14, 21);
      const created = this.iso(
        Math.max(Date.parse(task.created_on), Math.min(this.nowMs, (startDay - 3) * DAY_MS + 10 * HOUR_MS)),
      );
      bookings.push({
        id: this.id('bookings'),
        user_task_id: ut.id,
        start_date: this.date(startDay),
        end_date: this.date(startDay + rng.int(0, 9)),
        hours_per_day: rng.int(1, 6),
        description: rng.chance(0.5) ? null : 'Focus time',
        created_on: created,
        updated_on: created,
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // expenses, invoices, payments, estimates, recurring profiles

  private makeExpenses(): void {
    const rng = this.root.fork(10);
    const candidates = this.projects.filter((p) => p.spec.startDay < this.nowDay);
    const pending: { day: number; p: ProjectModel; n: number }[] = [];
    for (let i = 0; i < this.cfg.expenses; i++) {
      const p = candidates[rng.weighted(candidates.map((c) => (c.spec.billing === 'non' ? 0.5 : 1.5)))];
      const from = Math.max(p.spec.startDay, this.histStart);
      const to = Math.min(p.spec.endDay, this.nowDay);
      pending.push({ day: from + Math.floor(rng.next() * Math.max(1, to - from + 1)), p, n: i });
    }
    pending.sort((a, b) => a.day - b.day || a.n - b.n);
    const table = this.table('expenses');
    for (const { day, p, n } of pending) {
      const client = this.clients[p.spec.clientIdx];
      const loggers = p.users.filter((m) => this.users[m].logsTime);
      const createdMs = Math.min(this.nowMs, this.officeMs(rng, day));
      const receipt = rng.chance(0.4);
      const image = receipt && rng.chance(0.5);
      const fileBase = `https://app.paymo.test/files/receipts/${n + 1}`;
      const rec: ExpenseRec = {
        id: this.id('expenses'),
        client_id: client.id,
        project_id: rng.chance(0.9) ? p.id : null,
        user_id: loggers.length > 0 ? this.users[rng.pick(loggers)].id : null,
        amount: this.cfg.edgeCases && n === 0 ? 0 : roundMoney(rng.float(5, 1500)),
        currency: client.spec.currency,
        date: this.cfg.edgeCases && n === 1 ? null : this.date(day),
        notes: rng.chance(0.15) ? null : rng.pick(EXPENSE_NOTES),
        invoiced: false,
        invoice_item_id: null,
        tags: rng.sample(EXPENSE_TAGS, rng.int(0, 2)),
        file: receipt ? `${fileBase}${image ? '.jpg' : '.pdf'}` : '',
        image_thumb_large: image ? `${fileBase}-large.jpg` : null,
        image_thumb_medium: image ? `${fileBase}-medium.jpg` : null,
        image_thumb_small: image ? `${fileBase}-small.jpg` : null,
        created_on: this.iso(createdMs),
        updated_on: this.iso(createdMs),
      };
      table.push(rec);
      const idx = this.expenses.length;
      this.expenses.push(rec);
      if (p.spec.billing !== 'non' && rec.amount > 0 && rec.project_id !== null) {
        const key = p.spec.clientIdx * 100_000 + monthKeyOf(day);
        const list = this.expenseBuckets.get(key);
        if (list) list.push(idx);
        else this.expenseBuckets.set(key, [idx]);
      }
    }
  }

  private invoiceIntents(rng: Random): InvoiceIntent[] {
    const nowMonth = monthKeyOf(this.nowDay);
    const time: InvoiceIntent[] = [];
    const other: InvoiceIntent[] = [];
    let order = 0;
    const keys = [...new Set([...this.entryBuckets.keys(), ...this.expenseBuckets.keys()])].sort(
      (a, b) => a - b,
    );
    for (const key of keys) {
      const month = key % 100_000;
      if (month >= nowMonth) continue;
      const day = Math.min(this.nowDay - 1, firstDayOfMonth(month + 1) + rng.int(0, 6));
      time.push({ day, clientIdx: Math.floor(key / 100_000), kind: 'time', ref: key, order: order++ });
    }
    for (const p of this.projects) {
      if (p.spec.billing !== 'flat') continue;
      const day = Math.min(p.spec.endDay + 3, p.spec.startDay + rng.int(30, 60));
      if (day >= this.nowDay || day < this.histStart) continue;
      other.push({ day, clientIdx: p.spec.clientIdx, kind: 'flat', ref: p.idx, order: order++ });
    }
    if (this.cfg.edgeCases)
      other.push({ day: this.nowDay - 1, clientIdx: 1, kind: 'empty', ref: 0, order: order++ });
    const target = this.cfg.invoices;
    rng.shuffle(time);
    const keep = Math.max(0, Math.min(time.length, target - other.length));
    const intents = other.concat(time.slice(0, keep));
    const activeClients = this.clients.filter((c) => c.spec.active);
    while (intents.length < target) {
      const c = rng.pick(activeClients);
      const day =
        Math.max(c.sinceDay + 1, this.histStart) +
        rng.int(0, Math.max(0, this.nowDay - 1 - Math.max(c.sinceDay + 1, this.histStart)));
      intents.push({
        day: Math.min(day, this.nowDay - 1),
        clientIdx: c.idx,
        kind: 'misc',
        ref: 0,
        order: order++,
      });
    }
    intents.sort((a, b) => a.day - b.day || a.clientIdx - b.clientIdx || a.order - b.order);
    return intents;
  }

  private makeInvoices(): void {
    const rng = this.root.fork(11);
    const intents = this.invoiceIntents(rng);
    const invoices = this.table('invoices');
    const items = this.table('invoiceitems');
    const payments: {
      day: number;
      ms: number;
      invoiceId: number;
      amount: number;
      notes: string | null;
      n: number;
    }[] = [];
    let counter = 0;
    for (const intent of intents) {
      const client = this.clients[intent.clientIdx];
      const lines: LineSpec[] = [];
      if (intent.kind === 'time') {
        const entryIdxs = this.entryBuckets.get(intent.ref) ?? [];
        const byProject = new Map<number, number[]>();
        for (const e of entryIdxs) {
          const pid = this.entries[e].project_id;
          const list = byProject.get(pid);
          if (list) list.push(e);
          else byProject.set(pid, [e]);
        }
        for (const [pid, list] of byProject) {
          const p = this.projects[pid - ID_BASE.projects];
          let seconds = 0;
          for (const e of list) seconds += this.entries[e].duration ?? 0;
          lines.push({
            item: p.rec.name,
            description: `Time tracked in ${monthName(intent.ref % 100_000)}`,
            price_unit: p.rec.price_per_hour ?? 95,
            quantity: roundMoney(seconds / 3600),
            apply_tax: true,
            expenseIdx: -1,
            entryIdxs: list,
            flatProject: -1,
          });
        }
        for (const x of this.expenseBuckets.get(intent.ref) ?? []) {
          if (!rng.chance(0.8)) continue;
          const ex = this.expenses[x];
          lines.push({
            item: 'Expense',
            description: ex.notes,
            price_unit: ex.amount,
            quantity: 1,
            apply_tax: false,
            expenseIdx: x,
            entryIdxs: null,
            flatProject: -1,
          });
        }
      } else if (intent.kind === 'flat') {
        const p = this.projects[intent.ref];
        lines.push({
          item: p.rec.name,
          description: 'Fixed price',
          price_unit: p.rec.price ?? 0,
          quantity: 1,
          apply_tax: true,
          expenseIdx: -1,
          entryIdxs: null,
          flatProject: p.idx,
        });
      } else if (intent.kind === 'misc') {
        const n = rng.int(1, 3);
        for (let i = 0; i < n; i++) {
          const [item, price] = rng.pick(ESTIMATE_LINES);
          lines.push({
            item,
            description: rng.chance(0.5) ? null : 'As agreed',
            price_unit: price,
            quantity: price > 300 ? 1 : rng.int(2, 30),
            apply_tax: rng.chance(0.8) ? true : null,
            expenseIdx: -1,
            entryIdxs: null,
            flatProject: -1,
          });
        }
      }
      if (this.cfg.edgeCases && counter === 0) {
        lines.push({
          item: 'Free consultation',
          description: 'On the house',
          price_unit: 0,
          quantity: 1,
          apply_tax: false,
          expenseIdx: -1,
          entryIdxs: null,
          flatProject: -1,
        });
      }
      counter++;
      const id = this.id('invoices');
      const day = intent.day;
      const createdMs = Math.min(this.nowMs, this.officeMs(rng, day));
      const created = this.iso(createdMs);
      const tax = rng.chance(0.5) ? null : rng.pick([5, 10, 19, 20]);
      const tax2 = tax !== null && rng.chance(0.1) ? rng.pick([2, 5]) : null;
      const discount = rng.chance(0.15) ? rng.pick([5, 10]) : null;
      const taxOnTax = tax2 !== null && rng.chance(0.5);
      const doc = { tax, tax2, discount, tax_on_tax: taxOnTax };
      const totals: DocumentTotals = computeDocumentTotals(doc, lines);
      const dueDay = day + rng.pick([14, 30, 30, 30]);
      const age = this.nowDay - day;
      let status: string;
      let paid = 0; // 0 none, 1 full, 2 partial
      const r = rng.next();
      if (intent.kind === 'empty' || lines.length === 0) status = 'draft';
      else if (r < 0.04) status = 'void';
      else if (age < 5) status = r < 0.6 ? 'draft' : 'sent';
      else if (age < 40) {
        status = r < 0.12 ? 'draft' : r < 0.4 ? 'sent' : r < 0.65 ? 'viewed' : 'paid';
        if (status === 'paid') paid = 1;
      } else {
        status = r < 0.8 ? 'paid' : r < 0.87 ? 'viewed' : r < 0.93 ? 'sent' : r < 0.97 ? 'viewed' : 'draft';
        if (status === 'paid') paid = 1;
        else if (r >= 0.93 && r < 0.97) paid = 2;
      }
      if (paid > 0 && totals.total <= 0) {
        paid = 0;
        status = 'sent';
      }
      let lastMs = createdMs;
      if (paid > 0) {
        const parts =
          paid === 2
            ? [roundMoney(totals.total * rng.float(0.2, 0.6))]
            : rng.chance(0.2)
              ? [roundMoney(totals.total * 0.5)]
              : [];
        let sum = 0;
        for (const a of parts) sum = roundMoney(sum + a);
        if (paid === 1) parts.push(roundMoney(totals.total - sum));
        let payDay = day;
        for (const amount of parts) {
          payDay = Math.min(this.nowDay, payDay + rng.int(1, 35));
          const ms = Math.min(this.nowMs, Math.max(createdMs, this.officeMs(rng, payDay)));
          lastMs = Math.max(lastMs, ms);
          payments.push({
            day: payDay,
            ms,
            invoiceId: id,
            amount,
            notes: rng.chance(0.5) ? null : rng.pick(['Bank transfer', 'Stripe', 'Cheque']),
            n: payments.length,
          });
        }
      } else if (status !== 'draft') {
        lastMs = Math.min(this.nowMs, createdMs + rng.int(1, 72) * HOUR_MS);
      }
      const token = hexString(this.seed, id, 32);
      invoices.push({
        id,
        number: `#INV-${this.date(day).replace(/-/g, '')}-${counter}`,
        client_id: client.id,
        template_id: rng.chance(0.7)
          ? this.invoiceTemplateIds[0]
          : rng.chance(0.5)
            ? this.invoiceTemplateIds[1]
            : null,
        status,
        currency: client.spec.currency,
        date: this.date(day),
        due_date: this.cfg.edgeCases && intent.kind === 'empty' ? null : this.date(dueDay),
        delivery_date: rng.chance(0.2) ? this.date(day) : null,
        subtotal: totals.subtotal,
        total: totals.total,
        tax_amount: totals.tax_amount,
        tax2_amount: totals.tax2_amount,
        discount_amount: totals.discount_amount,
        tax,
        tax2,
        discount,
        tax_on_tax: taxOnTax,
        language: null,
        bill_to: client.address ? `${client.spec.name}\n${client.address}` : client.spec.name,
        company_info: 'Nimbus Creative Agency\n42 Harbour Road, Bristol',
        footer: rng.chance(0.5) ? 'Thank you for your business!' : null,
        notes: rng.chance(0.1) ? 'Internal: double-check hours before sending.' : null,
        outstanding: rng.chance(0.05) ? roundMoney(rng.float(100, 2000)) : null,
        tax_text: tax !== null ? 'VAT' : null,
        tax2_text: tax2 !== null ? 'City tax' : null,
        discount_text: discount !== null ? 'Loyalty discount' : null,
        title: rng.chance(0.3) ? null : 'Invoice',
        pay_online: rng.chance(0.3),
        reminder_1_sent: status === 'sent' || status === 'viewed' ? dueDay < this.nowDay : null,
        reminder_2_sent: null,
        reminder_3_sent: null,
        permalink: `https://app.paymo.test/invoices/${token}`,
        pdf_link: `https://app.paymo.test/invoices/${token}.pdf`,
        download_token: hexString(this.seed ^ 0x5a5a, id, 16),
        token,
        created_on: created,
        updated_on: this.iso(lastMs),
      });
      this.invoices.push({ id, clientIdx: client.idx, day });
      lines.forEach((line, seq) => {
        const itemId = this.id('invoiceitems');
        items.push({
          id: itemId,
          invoice_id: id,
          item: line.item,
          description: line.description,
          price_unit: line.price_unit,
          quantity: line.quantity,
          expense_id: line.expenseIdx >= 0 ? this.expenses[line.expenseIdx].id : null,
          apply_tax: line.apply_tax,
          seq,
          created_on: created,
          updated_on: created,
        });
        if (line.expenseIdx >= 0) {
          const ex = this.expenses[line.expenseIdx];
          ex.invoiced = true;
          ex.invoice_item_id = itemId;
          if (created > ex.updated_on) ex.updated_on = created;
        }
        if (line.entryIdxs) {
          for (const e of line.entryIdxs) {
            const entry = this.entries[e];
            entry.billed = true;
            entry.invoice_item_id = itemId;
            if (created > entry.updated_on) entry.updated_on = created;
          }
        }
        if (line.flatProject >= 0) {
          const p = this.projects[line.flatProject].rec;
          p.invoiced = true;
          p.invoice_item_id = itemId;
        }
      });
    }
    payments.sort((a, b) => a.ms - b.ms || a.n - b.n);
    const ptable = this.table('invoicepayments');
    for (const pay of payments) {
      const at = this.iso(pay.ms);
      ptable.push({
        id: this.id('invoicepayments'),
        invoice_id: pay.invoiceId,
        amount: pay.amount,
        date: this.date(pay.day),
        notes: pay.notes,
        created_on: at,
        updated_on: at,
      });
    }
  }

  private makeEstimates(): void {
    const rng = this.root.fork(12);
    const active = this.clients.filter((c) => c.spec.active);
    const pending: { day: number; c: ClientModel; n: number }[] = [];
    for (let i = 0; i < this.cfg.estimates; i++) {
      const c = active[i % active.length];
      const from = Math.max(c.sinceDay, this.histStart);
      pending.push({ day: from + rng.int(0, Math.max(0, this.nowDay - from)), c, n: i });
    }
    pending.sort((a, b) => a.day - b.day || a.n - b.n);
    const estimates = this.table('estimates');
    const items = this.table('estimateitems');
    let counter = 0;
    for (const { day, c } of pending) {
      counter++;
      const id = this.id('estimates');
      const nLines = this.cfg.edgeCases && counter === 1 ? 3 : rng.int(1, 5);
      const lines: {
        item: string;
        price_unit: number;
        quantity: number;
        apply_tax: boolean | null;
        description: string | null;
      }[] = [];
      for (let i = 0; i < nLines; i++) {
        const [item, price] = rng.pick(ESTIMATE_LINES);
        lines.push({
          item,
          price_unit: price,
          quantity: price > 300 ? 1 : rng.int(4, 60),
          apply_tax: rng.chance(0.9) ? true : null,
          description: rng.chance(0.5) ? null : 'Estimated effort',
        });
      }
      const tax = rng.chance(0.4) ? null : rng.pick([3, 10, 20]);
      const discount = rng.chance(0.1) ? 5 : null;
      const totals = computeDocumentTotals({ tax, discount }, lines);
      const age = this.nowDay - day;
      const r = rng.next();
      let status =
        age < 7
          ? r < 0.5
            ? 'draft'
            : 'sent'
          : r < 0.15
            ? 'sent'
            : r < 0.3
              ? 'viewed'
              : r < 0.5
                ? 'accepted'
                : r < 0.85
                  ? 'invoiced'
                  : 'void';
      let invoiceId: number | null = null;
      if (status === 'invoiced') {
        const inv = this.invoices.find((x) => x.clientIdx === c.idx && x.day >= day);
        if (inv) invoiceId = inv.id;
        else status = 'accepted';
      }
      const createdMs = Math.min(this.nowMs, this.officeMs(rng, day));
      const created = this.iso(createdMs);
      const token = hexString(this.seed ^ 0xe571, id, 32);
      estimates.push({
        id,
        number: `#EST-${this.date(day).replace(/-/g, '')}-${counter}`,
        client_id: c.id,
        template_id: rng.chance(0.8) ? this.estimateTemplateIds[0] : null,
        status,
        currency: c.spec.currency,
        date: this.date(day),
        due_date: rng.chance(0.7) ? this.date(day + 30) : null,
        subtotal: totals.subtotal,
        total: totals.total,
        tax_amount: totals.tax_amount,
        tax2_amount: totals.tax2_amount,
        tax,
        tax2: null,
        tax_on_tax: false,
        discount,
        discount_amount: totals.discount_amount,
        discount_text: discount !== null ? 'Early-bird discount' : null,
        language: '',
        bill_to: c.spec.name,
        company_info: 'Nimbus Creative Agency\n42 Harbour Road, Bristol',
        footer: null,
        notes: null,
        brief_description: rng.chance(0.5) ? null : '<p>Scope as discussed in our call.</p>',
        tax_text: tax !== null ? 'VAT' : null,
        tax2_text: null,
        title: 'Estimate',
        invoice_id: invoiceId,
        permalink: `https://app.paymo.test/estimates/${token}`,
        pdf_link: `https://app.paymo.test/estimates/${token}.pdf`,
        download_token: null,
        created_on: created,
        updated_on:
          status === 'draft' ? created : this.iso(Math.min(this.nowMs, createdMs + rng.int(1, 96) * HOUR_MS)),
      });
      lines.forEach((line, seq) => {
        items.push({
          id: this.id('estimateitems'),
          estimate_id: id,
          item: line.item,
          description: line.description,
          price_unit: line.price_unit,
          quantity: line.quantity,
          apply_tax: line.apply_tax,
          seq,
          created_on: created,
          updated_on: created,
        });
      });
    }
  }

  private makeRecurringProfiles(): void {
    const rng = this.root.fork(13);
    const active = this.clients.filter((c) => c.spec.active);
    const periodDays: Readonly<Record<string, number>> = {
      w: 7,
      '2w': 14,
      '3w': 21,
      '4w': 28,
      m: 30,
      '2m': 61,
      '3m': 91,
      '6m': 182,
      y: 365,
    };
    const profiles = this.table('recurringprofiles');
    const items = this.table('recurringprofileitems');
    for (let i = 0; i < this.cfg.recurringProfiles; i++) {
      const c = active[i % active.length];
      const id = this.id('recurringprofiles');
      const frequency = i === 0 ? 'm' : rng.pick(['w', '2w', 'm', 'm', '3m', 'y']);
      const startDay = Math.max(c.sinceDay, this.histStart) + rng.int(0, 60);
      const occurrences = rng.chance(0.5) ? null : rng.int(3, 24);
      const elapsed = Math.max(
        0,
        Math.floor((this.nowDay - startDay) / periodDays[frequency]) + (startDay <= this.nowDay ? 1 : 0),
      );
      const made = occurrences === null ? elapsed : Math.min(elapsed, occurrences);
      const lines =
        i === 0
          ? [
              {
                item: 'Hosting',
                description: 'Managed hosting, per site',
                price_unit: 20,
                quantity: 3,
                apply_tax: null,
              },
            ]
          : [
              {
                item: 'Support retainer',
                description: null,
                price_unit: rng.pick([500, 750, 1200]),
                quantity: 1,
                apply_tax: true,
              },
            ];
      const tax = i === 0 ? null : rng.pick([null, 20]);
      const totals = computeDocumentTotals({ tax }, lines);
      const created = this.iso(this.officeMs(rng, startDay - 2));
      profiles.push({
        id,
        client_id: c.id,
        template_id: i === 0 ? null : this.invoiceTemplateIds[0],
        title: 'Invoice',
        currency: c.spec.currency,
        start_date: this.date(startDay),
        frequency,
        occurrences,
        last_created: made > 0 ? this.date(startDay + Math.round((made - 1) * periodDays[frequency])) : null,
        invoices_created: made,
        autosend: rng.chance(0.5),
        subtotal: totals.subtotal,
        total: totals.total,
        tax_amount: totals.tax_amount,
        tax2_amount: totals.tax2_amount,
        discount_amount: totals.discount_amount,
        tax,
        tax2: null,
        discount: null,
        discount_text: null,
        tax_on_tax: false,
        language: null,
        bill_to: c.spec.name,
        company_info: 'Nimbus Creative Agency',
        footer: null,
        notes: null,
        tax_text: tax !== null ? 'VAT' : null,
        tax2_text: null,
        pay_online: false,
        send_attachment: rng.chance(0.5),
        options: null,
        created_on: created,
        updated_on: created,
      });
      lines.forEach((line, seq) => {
        items.push({
          id: this.id('recurringprofileitems'),
          recurring_profile_id: id,
          ...line,
          seq,
          created_on: created,
          updated_on: created,
        });
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // discussions, threads, comments, files

  private commentsFor(
    rng: Random,
    thread: ThreadModel,
    p: ProjectModel,
    afterMs: number,
    comments: Rec[],
  ): number {
    const [lo, hi] = this.cfg.commentsPerThread;
    const n = rng.int(lo, hi);
    let ms = Math.max(afterMs, p.createdMs);
    for (let i = 0; i < n; i++) {
      ms = Math.min(this.nowMs, ms + rng.int(10, 3 * 24 * 60) * MIN_MS);
      const author = this.users[rng.pick(p.users)];
      const at = this.iso(ms);
      const id = this.id('comments');
      comments.push({
        id,
        content:
          this.cfg.edgeCases && i === 0
            ? '<p>Ça marche — “quotes”, \'single\', "double", \\ backslash, 日本語 ✅</p>'
            : rng.pick(COMMENTS),
        thread_id: thread.id,
        user_id: author.id,
        created_on: at,
        updated_on: at,
      });
      thread.comments.push(id);
    }
    return ms;
  }

  private makeConversations(): void {
    const rng = this.root.fork(14);
    const discussions = this.table('discussions');
    const threads = this.table('threads');
    const comments = this.table('comments');
    const files = this.table('files');
    const perProjectDiscussions: number[][] = this.projects.map(() => []);
    const discussionCreated = new Map<number, number>();
    // Discussions and their threads.
    for (const p of this.projects) {
      const mean = this.cfg.discussionsPerProject;
      const n = this.cfg.edgeCases
        ? p.specIdx < 2
          ? 1
          : 0
        : Math.floor(mean * rng.float(0, 2) + rng.next());
      for (let i = 0; i < n; i++) {
        const createdMs = Math.min(this.nowMs, p.createdMs + rng.int(1, 20) * DAY_MS);
        const id = this.id('discussions');
        const created = this.iso(createdMs);
        discussions.push({
          id,
          name: rng.pick(DISCUSSION_NAMES),
          description: rng.chance(0.4) ? null : '<p>Let’s collect everything here.</p>',
          project_id: p.id,
          user_id: this.users[p.users[0]].id,
          created_on: created,
          updated_on: created,
        });
        perProjectDiscussions[p.idx].push(id);
        discussionCreated.set(id, createdMs);
        if (rng.chance(0.1) && !this.cfg.edgeCases) continue;
        this.pushThread(rng, p, 'discussion_id', id, createdMs, threads, comments);
      }
    }
    // Task threads.
    for (let t = 0; t < this.tasks.length; t++) {
      if (!rng.chance(this.cfg.taskThreadShare)) continue;
      const task = this.tasks[t];
      const p = this.projects[this.taskProject[t]];
      const thread = this.pushThread(
        rng,
        p,
        'task_id',
        task.id,
        Date.parse(task.created_on),
        threads,
        comments,
      );
      task.comments_count = thread.comments.length;
    }
    // Files: project-level or attached to one task, discussion or comment; some get their own thread.
    const commentsOfProject: number[][] = this.projects.map(() => []);
    for (const th of this.threads) for (const c of th.comments) commentsOfProject[th.projectIdx].push(c);
    for (const p of this.projects) {
      const n = this.cfg.edgeCases
        ? p.specIdx === 0
          ? 4
          : p.specIdx === 1
            ? 1
            : 0
        : Math.floor(this.cfg.filesPerProject * rng.float(0, 2) + rng.next());
      for (let i = 0; i < n; i++) {
        const [name, mime] = this.cfg.edgeCases
          ? FILE_NAMES[(3 + i) % FILE_NAMES.length]
          : rng.pick(FILE_NAMES);
        const id = this.id('files');
        const uploader = this.users[rng.pick(p.users)];
        // tiny: one file on a task, a discussion, a comment and the project itself.
        const r = this.cfg.edgeCases ? (p.specIdx === 0 ? EDGE_FILE_PARENTS[i] : 0.9) : rng.next();
        let createdMs = Math.min(this.nowMs, p.createdMs + rng.int(1, 30) * DAY_MS);
        const parent: Record<string, number> = {};
        if (r < 0.4 && p.tasks.length > 0) {
          const task = this.tasks[rng.pick(p.tasks)];
          parent.task_id = task.id;
          createdMs = Math.max(createdMs, Date.parse(task.created_on));
          task.files_count = (task.files_count ?? 0) + 1;
        } else if (r < 0.55 && perProjectDiscussions[p.idx].length > 0) {
          const d = rng.pick(perProjectDiscussions[p.idx]);
          parent.discussion_id = d;
          createdMs = Math.max(createdMs, discussionCreated.get(d)!);
        } else if (r < 0.75 && commentsOfProject[p.idx].length > 0) {
          const cid = rng.pick(commentsOfProject[p.idx]);
          parent.comment_id = cid;
          createdMs = Math.max(createdMs, Date.parse(comments[cid - ID_BASE.comments].created_on as string));
        }
        createdMs = Math.min(createdMs, this.nowMs);
        const image = mime.startsWith('image/');
        const url = `https://app.paymo.test/files/${id}/${encodeURIComponent(name)}`;
        const created = this.iso(createdMs);
        files.push({
          id,
          original_filename: name,
          description: rng.chance(0.5) ? null : 'Latest version',
          user_id: uploader.id,
          project_id: p.id,
          ...parent,
          token: null,
          size: rng.int(1_000, 5_000_000),
          mime,
          file: url,
          image_thumb_large: image ? `${url}?thumb=large` : null,
          image_thumb_medium: image ? `${url}?thumb=medium` : null,
          image_thumb_small: image ? `${url}?thumb=small` : null,
          tags: [],
          created_on: created,
          updated_on: created,
        });
        if (this.cfg.edgeCases ? i === 0 : rng.chance(0.3))
          this.pushThread(rng, p, 'file_id', id, createdMs, threads, comments);
      }
    }
  }

  private pushThread(
    rng: Random,
    p: ProjectModel,
    key: 'discussion_id' | 'task_id' | 'file_id',
    parentId: number,
    afterMs: number,
    threads: Rec[],
    comments: Rec[],
  ): ThreadModel {
    const thread: ThreadModel = { id: this.id('threads'), projectIdx: p.idx, comments: [] };
    const rec: Rec = { id: thread.id, project_id: p.id, [key]: parentId, created_on: '', updated_on: '' };
    threads.push(rec);
    this.threads.push(thread);
    const firstMs = Math.min(this.nowMs, Math.max(afterMs, p.createdMs) + rng.int(10, 600) * MIN_MS);
    const lastMs = this.commentsFor(rng, thread, p, firstMs - 10 * MIN_MS, comments);
    rec.created_on = comments[thread.comments[0] - ID_BASE.comments].created_on;
    rec.updated_on = this.iso(Math.max(lastMs, Date.parse(rec.created_on as string)));
    return thread;
  }

  // -------------------------------------------------------------------------------------------
  // task recurring profiles, reports, hooks, company counters

  private makeMisc(): void {
    const rng = this.root.fork(15);
    const open = this.projects.filter((p) => p.rec.active && p.tasks.length > 0);
    const trp = this.table('taskrecurringprofiles');
    for (let i = 0; i < this.cfg.taskRecurringProfiles && open.length > 0; i++) {
      const p = open[i % open.length];
      const src = this.tasks[p.tasks[0]];
      const fromTask = rng.chance(0.5);
      const frequency = rng.pick(['daily', 'weekly', 'monthly'] as const);
      const startDay = this.nowDay - rng.int(10, 120);
      const generated = Math.max(
        0,
        Math.floor((this.nowDay - startDay) / (frequency === 'daily' ? 1 : frequency === 'weekly' ? 7 : 30)),
      );
      const created = this.iso(Math.max(p.createdMs, this.officeMs(rng, startDay - 1)));
      trp.push({
        id: this.id('taskrecurringprofiles'),
        name: fromTask
          ? src.name
          : rng.pick(['Weekly report', 'Backup check', 'Invoice review', 'Social media post']),
        code: null,
        project_id: p.id,
        tasklist_id: src.tasklist_id,
        user_id: src.user_id ?? this.users[0].id,
        task_user_id: fromTask ? src.user_id : null,
        company_id: this.companyId,
        billable: src.billable,
        flat_billing: false,
        description: rng.chance(0.5) ? null : 'Recurring chore',
        price_per_hour: null,
        estimated_price: null,
        budget_hours: rng.chance(0.5) ? rng.int(1, 4) : null,
        users: src.users.slice(),
        priority: 50,
        notifications: '{}',
        frequency,
        interval: 1,
        on_day: frequency === 'weekly' ? [1, 3] : frequency === 'monthly' ? [1] : [],
        occurrences: rng.chance(0.5) ? null : 52,
        until: rng.chance(0.7) ? null : this.date(this.nowDay + 180),
        active: rng.chance(0.8),
        due_date_offset: rng.int(0, 5),
        recurring_start_date: this.date(startDay),
        generated_count: generated,
        last_generated_on: generated > 0 ? this.date(this.nowDay - rng.int(0, 6)) : null,
        next_processing_date: this.date(this.nowDay + 1),
        processing_timezone: 'Europe/London',
        processing_hour: '09:00:00',
        created_on: created,
        updated_on: created,
      });
    }

    const reports = this.table('reports');
    const admin = this.users[0];
    const intervals = [
      'this_month',
      'last_month',
      'this_year',
      'all_time',
      'this_week',
      'last_year',
    ] as const;
    for (let i = 0; i < this.cfg.reports; i++) {
      const id = this.id('reports');
      const type = i % 2 === 0 ? 'live' : 'static';
      const client = this.clients[i % this.clients.length];
      const scoped = i % 3 === 1;
      const ranged = i % 4 === 3;
      const startS = Math.floor(((this.nowDay - 30) * DAY_MS) / 1000);
      const endS = Math.floor((this.nowDay * DAY_MS - 1000) / 1000);
      const dateInterval = ranged ? null : intervals[i % intervals.length];
      const scopedProjects = client.projects.map((p) => this.projects[p]);
      const infoRange = this.reportRange(dateInterval, startS, endS);
      const createdMs = Math.max(admin.startDay * DAY_MS, this.nowMs - rng.int(1, 60) * DAY_MS);
      const created = this.iso(createdMs);
      const token = hexString(this.seed ^ 0x2e90, id, 32);
      reports.push({
        id,
        name:
          this.cfg.edgeCases && i === 0
            ? 'Monthly “hours” — Zoë’s report'
            : rng.chance(0.2)
              ? null
              : `${type === 'live' ? 'Live' : 'Snapshot'}: ${scoped ? client.spec.name : 'all projects'}`,
        user_id: admin.id,
        type,
        start_date: ranged ? startS : null,
        end_date: ranged ? endS : null,
        date_interval: dateInterval,
        projects: scoped ? scopedProjects.map((p) => p.id) : 'all',
        clients: scoped ? [client.id] : 'all',
        users: i % 2 === 0 ? 'all' : 'all_active',
        include: {
          days: false,
          clients: !scoped,
          users: true,
          projects: true,
          tasklists: false,
          tasks: true,
          billed: false,
          entries: i % 2 === 1,
        },
        extra: {
          display_charts: true,
          display_costs: false,
          exclude_billed_entries: i % 5 === 4,
          enable_time_rounding: i % 3 === 2,
          rounding_step: 15,
          order: ['clients', 'users', 'projects', 'tasks', 'entries'],
        },
        info: {
          start_date: infoRange[0],
          end_date: infoRange[1],
          clients: (scoped ? [client] : this.clients).map((c) => ({ id: String(c.id), name: c.spec.name })),
          projects: (scoped ? scopedProjects : this.projects).map((p) => ({
            id: String(p.id),
            name: p.rec.name,
          })),
          users: this.users
            .filter((u) => u.logsTime && (i % 2 === 0 || u.rec.active))
            .map((u) => ({ id: String(u.id), name: u.rec.name })),
        },
        permalink: `https://app.paymo.test/reports/${token}`,
        shared: scoped && rng.chance(0.5),
        share_client_id: scoped ? client.id : null,
        download_token: null,
        created_on: created,
        updated_on: created,
      });
    }

    const hooksCreated = this.iso(this.officeMs(rng, this.nowDay - 20));
    this.table('hooks').push(
      {
        id: this.id('hooks'),
        target_url: 'https://hooks.example.com/paymo/tasks',
        event: 'model.insert.Task',
        where: null,
        last_status_code: 200,
        created_on: hooksCreated,
        updated_on: hooksCreated,
      },
      {
        id: this.id('hooks'),
        target_url: 'https://hooks.example.com/paymo/time',
        event: '*.Entry',
        where: `project_id=${this.projects[0].id}`,
        last_status_code: null,
        created_on: hooksCreated,
        updated_on: hooksCreated,
      },
    );
  }

  /** The resolved date range a report shows in `info` (presets evaluated at `now`, UTC). */
  private reportRange(preset: string | null, startS: number, endS: number): [string, string] {
    const nowMonth = monthKeyOf(this.nowDay);
    const year = Math.floor(nowMonth / 12);
    const dayMs = (d: number): number => d * DAY_MS;
    let from: number;
    let to: number;
    switch (preset) {
      case 'this_month':
        from = dayMs(firstDayOfMonth(nowMonth));
        to = dayMs(firstDayOfMonth(nowMonth + 1)) - 1000;
        break;
      case 'last_month':
        from = dayMs(firstDayOfMonth(nowMonth - 1));
        to = dayMs(firstDayOfMonth(nowMonth)) - 1000;
        break;
      case 'this_year':
        from = Date.UTC(year, 0, 1);
        to = Date.UTC(year + 1, 0, 1) - 1000;
        break;
      case 'last_year':
        from = Date.UTC(year - 1, 0, 1);
        to = Date.UTC(year, 0, 1) - 1000;
        break;
      case 'this_week': {
        const monday = this.nowDay - ((weekdayOf(this.nowDay) + 6) % 7);
        from = dayMs(monday);
        to = dayMs(monday + 7) - 1000;
        break;
      }
      case 'all_time':
        from = dayMs(this.companyDay);
        to = this.nowMs;
        break;
      default:
        from = startS * 1000;
        to = endS * 1000;
    }
    return [this.iso(from), this.iso(to)];
  }

  private finishCompany(): void {
    const c = this.companyRec;
    const activeUsers = this.users.filter((u) => u.rec.active && u.logsTime).length;
    const nowMonth = monthKeyOf(this.nowDay);
    c.max_users = Math.max(10, Math.ceil((activeUsers * 1.5) / 10) * 10);
    c.current_users = activeUsers;
    c.current_projects = this.projects.filter((p) => p.rec.active).length;
    c.current_invoices = this.invoices.filter((x) => monthKeyOf(x.day) === nowMonth).length;
    c.next_invoice_number = String(this.invoices.length + 1);
    c.next_estimate_number = String(this.table('estimates').length + 1);
    c.updated_on = this.iso(Math.max(Date.parse(c.created_on as string), this.nowMs - 7 * DAY_MS));
  }
}
