import type { Behaviour } from './behaviour.js';
import {
  estimates,
  estimatetemplates,
  expenses,
  invoicepayments,
  invoices,
  invoicetemplates,
  recurringprofiles,
} from './behaviours/billing.js';
import { comments, discussions, files, threads } from './behaviours/content.js';
import { entries } from './behaviours/entries.js';
import { clientcontacts, clients, company_, hooks, sessions, users } from './behaviours/people.js';
import {
  projects,
  projectstatuses,
  projecttemplates,
  projecttemplatestasklists,
  projecttemplatestasks,
} from './behaviours/projects.js';
import { reports } from './behaviours/reports.js';
import {
  bookings,
  milestones,
  subtasks,
  tasklists,
  taskrecurringprofiles,
  tasks,
  userstasks,
  workflows,
  workflowstatuses,
} from './behaviours/tasks.js';

/** Side effects and rules per resource path (paymo-api.md 1.12 and section 2). */
export const BEHAVIOURS: Readonly<Record<string, Behaviour>> = {
  bookings,
  clientcontacts,
  clients,
  comments,
  company: company_,
  discussions,
  entries,
  estimates,
  estimatetemplates,
  expenses,
  files,
  hooks,
  invoicepayments,
  invoices,
  invoicetemplates,
  milestones,
  projects,
  projectstatuses,
  projecttemplates,
  projecttemplatestasklists,
  projecttemplatestasks,
  recurringprofiles,
  reports,
  sessions,
  subtasks,
  tasklists,
  taskrecurringprofiles,
  tasks,
  threads,
  users,
  userstasks,
  workflows,
  workflowstatuses,
};
