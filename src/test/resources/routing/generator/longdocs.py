import random

NAMES = ["Priya", "Marcus", "Elena", "Tomás", "Aiko", "Jonah", "Fatima", "Grace", "Oleksandr", "Nia", "Ravi",
         "Sofia", "Dmitri", "Hannah", "Kwame", "Lucia", "Ben", "Mei", "Ahmed", "Clara"]
SURN = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Novak", "Haddad", "Brennan", "Castillo", "Weber", "Singh",
        "Kowalski", "Adeyemi", "Rossi", "Park", "Fischer"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]

def person(r):
    return r.choice(NAMES) + " " + r.choice(SURN)

def fill(r, s, ctx):
    out = s
    for k, v in ctx.items():
        while "{" + k + "}" in out:
            out = out.replace("{" + k + "}", v() if callable(v) else v, 1)
    return out

def grow(r, target_words, make_block):
    blocks, words = [], 0
    i = 0
    while words < target_words:
        b = make_block(i)
        blocks.append(b)
        words += len(b.split())
        i += 1
    return "\n\n".join(blocks)

# ---------------------------------------------------------------- meeting transcript
MEET_LINES = [
    "I think we should push the {feature} launch by a week, the QA backlog is still at {n} open tickets.",
    "The numbers from last sprint look better than expected, activation went from {p}% to {p2}%.",
    "Can we revisit the decision about {feature}? Sales keeps hearing from customers that they need it before renewal.",
    "I talked to the design team yesterday and they want another round of user testing on the {feature} flow.",
    "My concern is that we keep adding scope without removing anything, and the team is already stretched.",
    "Legal flagged the data retention wording in the {feature} onboarding screen, we need to change it before {month}.",
    "Infra costs went up about {p}% this month, mostly from the new analytics cluster.",
    "I'll take the action item to write up the rollout plan and share it by Thursday.",
    "Let's agree that {feature} ships behind a feature flag to ten percent of users first.",
    "We had two escalations from enterprise customers this week, both about SSO timeouts.",
    "Honestly I don't think the churn spike is related to pricing, the timing lines up with the mobile release.",
    "Marketing wants a date. Can we commit to {month} {d} or is that unrealistic?",
    "The vendor contract for the support tool renews in {month}; we should decide whether to switch.",
    "If we hire the two backend engineers in {month}, they won't be productive until the quarter after.",
    "I'm fine with that as long as we document the decision and the reasoning somewhere people can find it.",
    "Quick update on hiring: we have {n} candidates in the final round, offers should go out next week.",
    "The customer advisory board meeting is confirmed for {month} {d}, I'll send the agenda around.",
    "We decided last time to deprecate the old export API, but three large accounts still use it daily.",
    "Support volume is down {p}% since the help center redesign, which is great news.",
    "Can someone own the follow-up with the security team about the pen test findings?",
    "I disagree, I think the onboarding checklist is the main driver, not the email campaign.",
    "Let's park that and come back to it next week with actual data instead of opinions.",
    "The accessibility audit found {n} issues, most of them are contrast and keyboard navigation.",
    "Okay so to summarise, we're keeping the {month} date but cutting the reporting dashboard from scope.",
]
FEATURES = ["bulk import", "audit log", "team workspaces", "usage-based billing", "offline mode", "SAML login",
            "custom reports", "the mobile redesign", "webhooks v2", "the AI assistant"]

def meeting(r, words):
    people = [person(r) for _ in range(r.randint(4, 6))]
    title = r.choice(["Product weekly sync", "Leadership staff meeting", "Q3 planning session",
                      "Release readiness review", "Customer success retro"])
    date = f"{r.choice(MONTHS)} {r.randint(1, 28)}, 2024"
    head = f"{title} — transcript ({date})\nAttendees: " + ", ".join(people) + "\n"
    ctx = {"feature": lambda: r.choice(FEATURES), "n": lambda: str(r.randint(3, 60)),
           "p": lambda: str(r.randint(2, 40)), "p2": lambda: str(r.randint(20, 70)),
           "month": lambda: r.choice(MONTHS), "d": lambda: str(r.randint(1, 28))}
    def block(i):
        lines = []
        for _ in range(r.randint(4, 8)):
            lines.append(f"[{r.randint(0, 1):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}] {r.choice(people)}: "
                         + fill(r, r.choice(MEET_LINES), ctx))
        return "\n".join(lines)
    return head + grow(r, words, block)

# ---------------------------------------------------------------- logs + incident
SERVICES = ["api-gateway", "checkout", "inventory", "auth", "search", "payments", "notifications", "orders-db"]
LOG_LINES = [
    "INFO  {svc} request completed path=/v1/{path} status=200 latency_ms={ms}",
    "WARN  {svc} slow query detected duration_ms={ms2} table={table}",
    "ERROR {svc} upstream timeout calling {svc2} after {ms2}ms (attempt {a}/3)",
    "INFO  {svc} connection pool stats active={n} idle={n2} waiting={n3}",
    "ERROR {svc} java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms",
    "WARN  {svc} circuit breaker for {svc2} is OPEN",
    "INFO  {svc} circuit breaker for {svc2} is HALF_OPEN",
    "INFO  {svc} deployed version {ver} to {n} pods",
    "WARN  {svc} GC pause {ms}ms (G1 Evacuation Pause)",
    "ERROR {svc} 503 returned to client path=/v1/{path} reason=no_healthy_upstream",
    "INFO  {svc} autoscaler scaled replicas from {n} to {n2}",
    "WARN  {svc} retry budget exhausted for {svc2}",
    "INFO  {svc} cache hit ratio {p}%",
    "ERROR {svc} OutOfMemoryError: Java heap space",
    "INFO  {svc} health check passed",
]
def logs(r, words):
    svc_ctx = {"svc": lambda: r.choice(SERVICES), "svc2": lambda: r.choice(SERVICES),
               "path": lambda: r.choice(["orders", "cart", "login", "search", "items/123", "payments/confirm"]),
               "ms": lambda: str(r.randint(5, 400)), "ms2": lambda: str(r.randint(800, 30000)),
               "table": lambda: r.choice(["orders", "line_items", "sessions", "stock_levels"]),
               "a": lambda: str(r.randint(1, 3)), "n": lambda: str(r.randint(1, 40)), "n2": lambda: str(r.randint(1, 40)),
               "n3": lambda: str(r.randint(0, 200)), "ver": lambda: f"2024.{r.randint(1,12)}.{r.randint(0,40)}",
               "p": lambda: str(r.randint(40, 99))}
    h, m, s = r.randint(0, 20), r.randint(0, 59), 0
    intro = ("Here's the raw log excerpt from the incident window on " + f"{r.choice(MONTHS)} {r.randint(1, 28)}"
             + ", plus the on-call notes at the end.\n\n")
    def block(i):
        nonlocal h, m, s
        lines = []
        for _ in range(12):
            s += r.randint(1, 20)
            if s >= 60:
                s -= 60; m += 1
            if m >= 60:
                m -= 60; h += 1
            lines.append(f"2024-06-11T{h:02d}:{m:02d}:{s:02d}Z " + fill(r, r.choice(LOG_LINES), svc_ctx))
        return "\n".join(lines)
    body = grow(r, words - 250, block)
    notes = ("\n\nOn-call notes (" + person(r) + "): paged at the start of the window for elevated 5xx on checkout. "
             "Initially suspected the new deploy and rolled it back, which did not help. Then noticed the connection "
             "pool waiting count climbing on orders-db clients. Restarted two inventory pods, error rate dropped for a "
             "few minutes and came back. Eventually scaled the database read replicas and raised the pool size; things "
             "stabilised about forty minutes later. Not sure whether the GC pauses on payments are a cause or a symptom. "
             "Customer impact: some checkouts failed, an unknown number were charged twice because clients retried. "
             "Follow-ups not yet assigned. " * 2)
    return intro + body + notes

# ---------------------------------------------------------------- contract
CLAUSES = [
    "The Provider shall make the Service available with a monthly uptime of at least {p}.{d}%, excluding Scheduled Maintenance announced at least {n} days in advance.",
    "The Customer shall pay all undisputed invoices within {n} days of the invoice date. Late payments bear interest at {d}% per month or the maximum rate permitted by law, whichever is lower.",
    "Either party may terminate this Agreement for convenience upon {n} days' written notice, provided that fees already paid are non-refundable except as set out in Section {s}.",
    "Neither party's aggregate liability arising out of or related to this Agreement shall exceed the fees paid by the Customer in the {n} months preceding the event giving rise to the claim.",
    "The limitations in this Section shall not apply to breaches of confidentiality, a party's indemnification obligations, or gross negligence or wilful misconduct.",
    "The Provider may modify the Service from time to time, provided that such modifications do not materially reduce the functionality described in the Documentation.",
    "Customer Data shall remain the property of the Customer. The Provider shall process Customer Data only on documented instructions, as set out in the Data Processing Addendum.",
    "Upon termination, the Provider shall make Customer Data available for export for {n} days, after which it shall be deleted within a further {n2} days, save where retention is required by law.",
    "The Provider shall notify the Customer of any Personal Data Breach without undue delay and in any event within {n} hours of becoming aware of it.",
    "This Agreement renews automatically for successive terms of {n} months unless either party gives notice of non-renewal at least {n2} days before the end of the then-current term.",
    "Fees may be increased upon renewal by no more than {d}% over the fees for the preceding term, with notice given at least {n} days before renewal.",
    "The Provider shall maintain insurance coverage of not less than {n} million euros for professional liability and cyber risks.",
    "Any dispute shall first be escalated to senior executives of both parties, who shall meet within {n} days; failing resolution, the dispute shall be referred to arbitration in {city}.",
    "The Customer shall not, and shall not permit any third party to, reverse engineer, decompile or disassemble the Service, except to the extent such restriction is prohibited by law.",
    "Service Credits are the Customer's sole and exclusive remedy for any failure to meet the uptime commitment, and shall not exceed {p}% of the monthly fee.",
    "The Provider may use subcontractors to perform its obligations, remaining responsible for their acts and omissions; the current list of sub-processors is published on the Provider's website.",
]
def contract(r, words):
    ctx = {"p": lambda: str(r.choice([95, 98, 99, 99])), "d": lambda: str(r.randint(1, 9)),
           "n": lambda: str(r.choice([5, 7, 10, 14, 30, 45, 60, 90, 12, 24, 72])), "n2": lambda: str(r.choice([30, 60, 90])),
           "s": lambda: str(r.randint(2, 14)), "city": lambda: r.choice(["London", "Stockholm", "Geneva", "Singapore", "Paris"])}
    cust = r.choice(["Northwind Logistics GmbH", "Bluefin Health Ltd", "Arcadia Retail SA", "Kestrel Finance AB"])
    head = (f"MASTER SUBSCRIPTION AGREEMENT between CloudLedger Inc. (\"Provider\") and {cust} (\"Customer\"), "
            f"effective {r.choice(MONTHS)} 1, 2024.\n")
    def block(i):
        sec = f"{i + 1}. " + r.choice(["Definitions", "Service Levels", "Fees and Payment", "Term and Termination",
                                         "Liability", "Data Protection", "Confidentiality", "Security", "Warranties",
                                         "Indemnification", "Governing Law", "Miscellaneous", "Support", "Audit Rights"])
        paras = [f"{i + 1}.{j + 1} " + fill(r, r.choice(CLAUSES), ctx) for j in range(r.randint(3, 6))]
        return sec + "\n" + "\n".join(paras)
    return head + grow(r, words, block)

# ---------------------------------------------------------------- research paper
PAPER = [
    "We evaluate the proposed method on {n} benchmark datasets and observe consistent improvements over the strongest baseline.",
    "Prior work has largely assumed that the training and test distributions coincide, an assumption that rarely holds in deployment.",
    "Table {t} reports mean accuracy over five seeds; the standard deviation is below {d}.{d2} points in all settings.",
    "Interestingly, the gains are largest for the low-resource languages, where the baseline struggles most.",
    "Our ablation shows that removing the auxiliary loss reduces performance by {d}.{d2} points, while removing the curriculum has little effect.",
    "A limitation of our study is that all experiments use models with fewer than {n} billion parameters.",
    "We recruited {n3} participants through a university mailing list; each completed the task in about {n} minutes.",
    "The effect was not significant after correcting for multiple comparisons (p = 0.0{d}), contrary to our pre-registered hypothesis.",
    "Figure {t} illustrates the trade-off between latency and quality as the number of retrieved passages increases.",
    "We hypothesise that the improvement stems from better calibration rather than from increased capacity.",
    "Compared with the results reported by the original authors, our reproduction obtains slightly lower scores, which we attribute to differences in preprocessing.",
    "The sampling procedure follows the protocol described in Section {t}, with the exception that we exclude duplicated items.",
    "These findings suggest that data quality matters more than data quantity beyond roughly {n} thousand examples.",
    "Future work should examine whether the same pattern holds for longer inputs and for domains outside news text.",
    "We release code and data to facilitate replication, subject to the licence terms of the original corpora.",
]
def paper(r, words):
    title = r.choice(["Robust Retrieval-Augmented Generation under Distribution Shift",
                      "Sleep Duration and Working Memory in Adolescents: A Longitudinal Study",
                      "Calibrated Uncertainty for Low-Resource Machine Translation",
                      "Soil Microbiome Diversity Across Managed and Unmanaged Grasslands"])
    ctx = {"n": lambda: str(r.randint(3, 70)), "t": lambda: str(r.randint(1, 8)), "d": lambda: str(r.randint(1, 9)),
           "d2": lambda: str(r.randint(0, 9)), "n3": lambda: str(r.randint(40, 900))}
    head = f"{title}\n\n" + ", ".join(person(r) for _ in range(4)) + "\n"
    secs = ["Abstract", "1 Introduction", "2 Related Work", "3 Method", "4 Experimental Setup", "5 Results",
            "6 Analysis", "7 Discussion", "8 Limitations", "9 Conclusion", "Appendix A", "Appendix B", "Appendix C"]
    def block(i):
        return secs[i % len(secs)] + "\n" + " ".join(fill(r, r.choice(PAPER), ctx) for _ in range(r.randint(6, 10)))
    return head + grow(r, words, block)

# ---------------------------------------------------------------- support thread
SUPPORT = [
    "Hi, our team has been unable to log in since this morning, we get an 'invalid session' error after SSO redirects back.",
    "Thanks for reaching out. Could you send us the approximate time of the failed attempts and the browser you're using?",
    "It happens on Chrome and Firefox. Times were around 09:{m} and 10:{m} CET. Attached a HAR file.",
    "We've escalated this to our engineering team. In the meantime, could you try clearing cookies for the domain?",
    "Clearing cookies didn't help. This is now blocking {n} people on our side, including our finance team at month end.",
    "I understand the urgency. Our engineers found a clock skew issue with the identity provider certificate; a fix is being deployed.",
    "Any update? It's been {n} hours and we haven't heard anything.",
    "Apologies for the delay. The fix was deployed at 14:{m}. Could you confirm whether logins work now?",
    "Logins work again for most users, but {n} accounts still fail. They all have the admin role, if that helps.",
    "Thank you, that's a very useful clue. We believe admin accounts hit a separate permission cache that wasn't invalidated.",
    "We're also seeing that invoices for last month show {n} seats but we only have {n2} active users. Can you check?",
    "I've forwarded the billing question to our accounts team, they'll respond separately within two business days.",
    "Honestly this is the third incident this quarter and our management is asking whether we should renew in {month}.",
    "I completely understand, and I've asked our customer success manager to set up a call to discuss reliability and the credits you're owed.",
    "The call on {month} {d} works for us. Please bring the incident reports for all three outages.",
    "Attached you'll find the root cause analysis. The short version: a config change propagated before the dependent service was updated.",
]
def support(r, words):
    cust, agent = person(r), person(r)
    ctx = {"m": lambda: f"{r.randint(0, 59):02d}", "n": lambda: str(r.randint(2, 60)), "n2": lambda: str(r.randint(2, 60)),
           "month": lambda: r.choice(MONTHS), "d": lambda: str(r.randint(1, 28))}
    def block(i):
        who = cust if i % 2 == 0 else agent
        return (f"From: {who}\nDate: {r.choice(MONTHS)} {r.randint(1, 28)}, 2024 {r.randint(8, 18)}:{r.randint(0, 59):02d}\n"
                + " ".join(fill(r, r.choice(SUPPORT), ctx) for _ in range(r.randint(2, 5))))
    return f"Ticket #{r.randint(10000, 99999)} — full email thread\n\n" + grow(r, words, block)

# ---------------------------------------------------------------- story
STORY = [
    "{a} had not been back to the village since the summer her grandmother died, and the road seemed narrower than she remembered.",
    "The ferry left at dawn, and by the time the fog lifted the mainland was a grey smudge behind them.",
    "\"You shouldn't have come,\" {b} said, without looking up from the nets he was mending.",
    "She found the letter folded inside the cookbook, between a recipe for plum cake and a list of names she didn't recognise.",
    "Nobody in the café would say the lighthouse keeper's name aloud, though everyone knew it.",
    "That night the storm took the power out, and they sat by candlelight while {b} told the story of the winter of 1963.",
    "In the morning there were footprints in the snow leading to the boathouse, and none leading back.",
    "{a} realised she had been lied to, not once but for years, and that her mother had known all along.",
    "The old map showed a path along the cliffs that no longer existed, swallowed by the sea decades ago.",
    "\"Some things are better left buried,\" the priest said, but his hands were shaking as he said it.",
    "She counted the keys on the ring again: seven, though the house had only six doors.",
    "When the police finally arrived from the mainland, {b} was gone, and so was the boat.",
    "Years later she would remember that afternoon as the moment everything changed, though at the time it felt ordinary.",
    "The diary's last entry was dated the day before the fire, and it ended mid-sentence.",
    "They argued in the kitchen until the kettle boiled dry, and neither of them noticed.",
]
def story(r, words):
    a = r.choice(NAMES); b = r.choice(NAMES)
    ctx = {"a": a, "b": b}
    def block(i):
        head = f"Chapter {i + 1}\n" if i % 4 == 0 else ""
        return head + " ".join(fill(r, r.choice(STORY), ctx) for _ in range(r.randint(5, 9)))
    return "The Salt House — draft manuscript\n\n" + grow(r, words, block)

# ---------------------------------------------------------------- handbook / policy
POLICY = [
    "Employees may work remotely up to {n} days per week with the approval of their line manager.",
    "Expenses above {n}00 euros require pre-approval from a budget holder, and receipts must be submitted within {n2} days.",
    "All employees are entitled to {n} days of paid annual leave, in addition to public holidays.",
    "Requests for parental leave should be submitted at least {n2} days in advance where possible.",
    "Company laptops must have full-disk encryption enabled and must not be left unattended in public places.",
    "Overtime is compensated at 1.5 times the regular rate, or by time off in lieu if agreed in writing.",
    "Travel should be booked through the approved agency; business class is permitted only for flights longer than {n} hours.",
    "Conflicts of interest must be declared to HR within {n2} days of the employee becoming aware of them.",
    "Performance reviews take place twice a year, in {month} and {month}, and include a self-assessment.",
    "Employees working remotely from another country for more than {n} weeks per year must obtain prior approval from HR and Legal.",
    "Gifts from suppliers with a value above {n}0 euros must be declined or registered in the gifts register.",
    "The on-call allowance is {n}0 euros per week, plus compensation for time spent handling incidents outside working hours.",
    "Sick leave of more than {n} consecutive days requires a medical certificate.",
    "Training budgets of up to {n}00 euros per year are available for each employee, subject to manager approval.",
]
def handbook(r, words):
    ctx = {"n": lambda: str(r.randint(2, 15)), "n2": lambda: str(r.choice([7, 14, 30, 60])),
           "month": lambda: r.choice(MONTHS)}
    secs = ["Working hours", "Remote work", "Leave", "Expenses", "Travel", "Security", "Conduct", "Benefits",
            "Performance", "Compensation", "Health and safety", "Equipment"]
    def block(i):
        return (f"Section {i + 1}: {secs[i % len(secs)]} (version {r.randint(1, 4)}.{r.randint(0, 9)})\n"
                + " ".join(fill(r, r.choice(POLICY), ctx) for _ in range(r.randint(4, 8))))
    return "Employee Handbook — Acme Robotics (consolidated, all sections)\n\n" + grow(r, words, block)

# ---------------------------------------------------------------- earnings call
EARN = [
    "Revenue for the quarter was {n} million dollars, up {p}% year over year, driven primarily by our enterprise segment.",
    "Gross margin came in at {p2}%, slightly below our guidance due to higher cloud hosting costs.",
    "We ended the quarter with {n}0 customers paying more than 100,000 dollars annually.",
    "Net revenue retention was {p3}%, compared with {p3}% in the same quarter last year.",
    "Operating expenses grew {p}%, reflecting continued investment in research and development.",
    "For the full year, we are raising our revenue guidance to between {n} and {n2} million dollars.",
    "Analyst: Can you talk about the sales cycle lengthening you mentioned last quarter, and whether it improved?",
    "We saw some deal slippage in EMEA, particularly in financial services, but most of those deals closed in the first weeks of the new quarter.",
    "Free cash flow was {n} million dollars, and we repurchased shares worth {n2} million.",
    "Analyst: How should we think about the margin impact of the AI features you're launching?",
    "We expect a modest headwind of about {d} points on gross margin next year as usage scales, before efficiencies kick in.",
    "Headcount was roughly flat quarter over quarter as we focused on productivity.",
    "Our largest competitor's pricing changes have not had a material impact on win rates so far.",
]
def earnings(r, words):
    ctx = {"n": lambda: str(r.randint(40, 900)), "n2": lambda: str(r.randint(40, 900)), "p": lambda: str(r.randint(3, 45)),
           "p2": lambda: str(r.randint(60, 82)), "p3": lambda: str(r.randint(98, 130)), "d": lambda: str(r.randint(1, 4))}
    co = r.choice(["Quantica Software", "Helix Data Systems", "Brightpath Payments", "Orbital Analytics"])
    def block(i):
        sp = r.choice(["CEO", "CFO", "Analyst", "Operator", "COO"])
        return f"{sp}: " + " ".join(fill(r, r.choice(EARN), ctx) for _ in range(r.randint(3, 7)))
    return f"{co} — Q{r.randint(1, 4)} 2024 earnings call transcript\n\n" + grow(r, words, block)

# ---------------------------------------------------------------- code dump
CODE_FUNCS = [
'''def {fn}(records, threshold={n}):
    """Filter records above threshold and normalise the score."""
    out = []
    for rec in records:
        if rec.get("score", 0) > threshold:
            rec = dict(rec)
            rec["score"] = rec["score"] / 100.0
            out.append(rec)
    return out
''',
'''class {cls}:
    def __init__(self, client, retries={n2}):
        self.client = client
        self.retries = retries
        self._cache = {{}}

    def fetch(self, key):
        if key in self._cache:
            return self._cache[key]
        for attempt in range(self.retries):
            try:
                value = self.client.get(key)
                self._cache[key] = value
                return value
            except TimeoutError:
                continue
        raise RuntimeError(f"failed to fetch {{key}}")
''',
'''def {fn}(path):
    with open(path) as f:
        data = json.load(f)
    users = {{u["id"]: u for u in data["users"]}}
    for order in data["orders"]:
        order["user"] = users.get(order["user_id"])
    return data["orders"]
''',
'''async def {fn}(session, urls, limit={n2}):
    sem = asyncio.Semaphore(limit)
    async def one(u):
        async with sem:
            async with session.get(u) as resp:
                return u, resp.status, await resp.text()
    return await asyncio.gather(*(one(u) for u in urls))
''',
'''def {fn}(amount, currency, rates):
    # TODO: handle missing rates
    if currency == "EUR":
        return amount
    return round(amount / rates[currency], 2)
''',
]
def codedump(r, words):
    ctx = {"fn": lambda: r.choice(["load_orders", "filter_scores", "convert", "fetch_all", "merge_users", "sync_batch",
                                   "compute_totals", "normalise", "apply_discount", "export_report"]) + str(r.randint(1, 99)),
           "cls": lambda: r.choice(["CachedClient", "RetryingFetcher", "OrderRepository", "RateSource"]) + str(r.randint(1, 9)),
           "n": lambda: str(r.randint(10, 90)), "n2": lambda: str(r.randint(2, 8))}
    def block(i):
        name = r.choice(["orders", "billing", "sync", "reports", "clients", "utils"]) + f"_{i}.py"
        return f"# ===== file: src/app/{name} =====\nimport json\nimport asyncio\n\n" + "\n".join(
            fill(r, r.choice(CODE_FUNCS), ctx) for _ in range(r.randint(2, 4)))
    return "Below is the whole `app` package of our billing service, file by file.\n\n" + grow(r, words, block)

GENERATORS = {"meeting": meeting, "logs": logs, "contract": contract, "paper": paper, "support": support,
              "story": story, "handbook": handbook, "earnings": earnings, "code": codedump}

TASKS = {
  "meeting": {
    "easy": ["Summarise this meeting in three bullet points.", "Who attended this meeting?", "Give me a one-paragraph summary of what was discussed above."],
    "medium": ["List every action item in this transcript with its owner and any deadline mentioned, as a table.", "What decisions were made in this meeting, and which topics were left unresolved?"],
    "hard": ["Across the whole transcript, people contradict each other about dates and scope several times. Identify each contradiction, quote the conflicting lines with timestamps, and reconstruct what the team most plausibly agreed on at the end, with your confidence for each item."],
  },
  "logs": {
    "easy": ["Which services appear in these logs?", "How many ERROR lines are there roughly, and which service produces most of them?"],
    "medium": ["Build a timeline of the incident from these logs: when errors started, what changed, and when it recovered.", "Group the errors in the log by service and type, and tell me which ones look like causes rather than symptoms."],
    "hard": ["Using the logs and the on-call notes, determine the most likely root cause of the incident, explain the causal chain across services with supporting log lines, point out where the on-call notes are inconsistent with the logs, and propose a remediation plan that also addresses the double-charging.", "Write a full postmortem from this material: summary, impact, detection, timeline with timestamps, root cause analysis (argue for one hypothesis against at least two alternatives using specific log evidence), and prioritised follow-ups."],
  },
  "contract": {
    "easy": ["What is the notice period for termination in this agreement?", "Summarise this contract in plain English in a few sentences."],
    "medium": ["Extract every number in this agreement that represents a time limit (days, hours, months) and say what each one governs.", "List the Customer's obligations and the Provider's obligations under this agreement, section by section."],
    "hard": ["This agreement was assembled from several templates and some clauses conflict. Find every inconsistency (for example different notice periods, uptime figures or liability caps for the same matter), explain which clause would likely prevail and why, and draft corrected wording for each.", "We are the Customer. Review this agreement as our counsel would: identify the clauses with the highest risk to us, rank them, explain the practical consequences in scenarios like a data breach or a 3-day outage, and propose redlines."],
  },
  "paper": {
    "easy": ["What is this paper about? Two sentences please.", "Give me the title and the authors of this paper and a short summary."],
    "medium": ["Summarise the method, the experimental setup and the main results of this paper, section by section.", "List every limitation the authors acknowledge, and any they don't mention but should."],
    "hard": ["Act as a peer reviewer for this manuscript. Check whether the claims in the abstract and conclusion are actually supported by the results and analysis sections, point out every place where numbers or statements contradict each other, assess the statistical reporting, and write a structured review with a recommendation."],
  },
  "support": {
    "easy": ["What was the customer's original problem in this ticket?", "Summarise this support thread briefly."],
    "medium": ["Reconstruct the timeline of this ticket: each message, who sent it, and what changed. Then list the open issues.", "What did the support team promise the customer over the course of this thread, and which promises were kept?"],
    "hard": ["Analyse this entire thread as a support quality review: identify every point where the response was slow, inaccurate or contradicted an earlier message, estimate the business impact on the customer, and draft the reply that should go out now, addressing all open issues including billing and renewal risk."],
  },
  "story": {
    "easy": ["Who are the main characters in this draft?", "Summarise the plot of this manuscript so far in a paragraph."],
    "medium": ["Write a chapter-by-chapter summary of this draft and list the unresolved mysteries.", "Track every mention of the keys, the letter and the diary in this manuscript and summarise what we learn from each."],
    "hard": ["As a developmental editor, analyse this manuscript for continuity errors, repeated scenes, and inconsistent character behaviour across chapters; quote the passages involved, explain why each is a problem, and propose a revised chapter outline that resolves them while keeping the mystery intact."],
  },
  "handbook": {
    "easy": ["How many days of annual leave do employees get according to this handbook?", "Summarise the remote work rules from this handbook."],
    "medium": ["Make a table of every monetary threshold in this handbook and what it applies to.", "Create an FAQ for new hires based on this handbook, with ten questions and answers."],
    "hard": ["This handbook is a consolidation of several versions and contradicts itself. Find every rule that is stated more than once with different values, cite the sections and versions, decide which should be authoritative based on the version numbers, and produce a clean consolidated policy text for the affected sections."],
  },
  "earnings": {
    "easy": ["What was the revenue for the quarter according to this call?", "Summarise this earnings call in three sentences."],
    "medium": ["Extract all financial metrics mentioned in this transcript into a table with the value and context.", "What questions did analysts ask and how did management answer each?"],
    "hard": ["Management quotes several metrics more than once on this call, sometimes with different values. Identify every inconsistency, assess whether it could be explained by different definitions or periods, and write a short note to an investment committee explaining how much weight to put on the guidance given these discrepancies."],
  },
  "code": {
    "easy": ["What does this package do, in a few sentences?", "List the files and the functions defined in each."],
    "medium": ["Review this package: find duplicated functions and suggest how to consolidate them.", "Which functions in this code do network or file I/O, and which of them lack error handling?"],
    "hard": ["Do a full code review of this package: identify bugs (including the currency conversion and caching behaviour), concurrency issues in the async code, duplicated logic across files, and security problems; prioritise them, and propose a refactored module structure with the key functions rewritten."],
  },
}

INTROS = ["", "Please read the following carefully.\n\n", "I'm pasting a long document below.\n\n",
          "Context for my question:\n\n", "---BEGIN DOCUMENT---\n"]

def long_prompts(per_difficulty=15, seed=20240611):
    r = random.Random(seed)
    kinds = list(GENERATORS)
    out = []
    for diff in ["easy", "medium", "hard"]:
        for i in range(per_difficulty):
            kind = kinds[(i + {"easy": 0, "medium": 3, "hard": 6}[diff]) % len(kinds)]
            doc = GENERATORS[kind](r, r.randint(2600, 3300))
            task = r.choice(TASKS[kind][diff])
            intro = r.choice(INTROS)
            end = "\n---END DOCUMENT---" if intro.startswith("---") else ""
            if r.random() < 0.3:
                text = task + "\n\n" + intro + doc + end
            else:
                text = intro + doc + end + "\n\n" + task
            out.append((diff, text))
    return out
