/** The demo organization's fixed cast: who works for whom, on what, at which rate. */

export const DEMO_SETTINGS = {
  timezone: "Europe/Berlin",
  week_start: "monday" as const,
  currency: "EUR",
  // Minor units per hour: 85.00 EUR, used when neither entry, project nor member has a rate.
  default_hourly_rate: 8500,
};

export const CLIENTS = [
  { name: "Northwind Traders", email: "accounts@northwind.example" },
  { name: "Globex Corporation", email: "billing@globex.example" },
  { name: "Initech", email: "finance@initech.example" },
  { name: "Umbrella Health", email: "ap@umbrella-health.example" },
  { name: "Stark Logistics", email: "invoices@stark-logistics.example" },
];

/** `client` indexes CLIENTS; null is internal work. Archived projects only have old time. */
export const PROJECTS: Array<{
  name: string;
  client: number | null;
  rate: number | null;
  color: string;
  billable?: boolean;
  archived?: boolean;
  budget?: number;
}> = [
  { name: "Northwind Web Shop", client: 0, rate: 12000, color: "#1f77b4", budget: 800 },
  { name: "Northwind Mobile App", client: 0, rate: 13000, color: "#aec7e8", budget: 600 },
  { name: "Globex Data Platform", client: 1, rate: 14000, color: "#ff7f0e", budget: 1200 },
  { name: "Globex Intranet", client: 1, rate: null, color: "#ffbb78", archived: true },
  { name: "Initech TPS Reports", client: 2, rate: 9500, color: "#2ca02c" },
  { name: "Initech Migration", client: 2, rate: 11000, color: "#98df8a", archived: true },
  { name: "Umbrella Patient Portal", client: 3, rate: 15000, color: "#d62728", budget: 900 },
  { name: "Umbrella Compliance Audit", client: 3, rate: null, color: "#ff9896" },
  { name: "Stark Fleet Tracking", client: 4, rate: 12500, color: "#9467bd", budget: 700 },
  { name: "Stark Warehouse API", client: 4, rate: 11500, color: "#c5b0d5" },
  { name: "Internal Tooling", client: null, rate: null, color: "#8c564b", billable: false },
  { name: "Sales & Pre-sales", client: null, rate: null, color: "#e377c2", billable: false },
];

export const TASKS = [
  "Discovery",
  "Design",
  "Implementation",
  "Code review",
  "Testing",
  "Deployment",
  "Meetings",
  "Documentation",
];

export const TAGS = ["meeting", "bugfix", "feature", "research", "support", "overtime", "remote", "on-site"];

/** The owner plus these six; `rate` is the member's own hourly rate (null: fall through to the default). */
export const MEMBERS: Array<{ name: string; role: "admin" | "manager" | "member"; rate: number | null }> = [
  { name: "Grace Hopper", role: "admin", rate: 11000 },
  { name: "Alan Turing", role: "manager", rate: 10500 },
  { name: "Katherine Johnson", role: "manager", rate: 10000 },
  { name: "Linus Torvalds", role: "member", rate: 9000 },
  { name: "Margaret Hamilton", role: "member", rate: null },
  { name: "Dennis Ritchie", role: "member", rate: 8000 },
];

export const DESCRIPTIONS = [
  "Sprint planning",
  "Daily stand-up",
  "Implement checkout flow",
  "Fix flaky integration tests",
  "Review pull requests",
  "Client call",
  "Write API documentation",
  "Investigate performance issue",
  "Database schema changes",
  "Deploy to staging",
  "Refactor authentication",
  "Estimate change request",
  "Pair programming",
  "Prepare demo",
  "Update dependencies",
  "",
];
