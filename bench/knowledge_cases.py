"""Evaluation cases for retrieval and answer quality on the sample help center.

The cases target the fictional "Lumora" help center in
``supportbot/knowledge/sample/`` (``en/`` and ``zh/``; article slugs are the
file names without ``.md``; the same slug can exist in both languages and a
case's slugs always refer to articles in the case's own language).

How the cases were written
--------------------------
* By hand, by reading each article and then writing questions the way a
  visitor would type them: paraphrases that avoid the article title, typos,
  vague one-liners, long chatty messages, questions that only quote an error
  code, and questions whose words overlap a *wrong* article (for example a
  double charge older than 14 days vs. the 14-day refund window, a hub that
  died after months vs. the hub display codes, a fapiao before dispatch vs.
  delivery times).
* ``articles`` lists every article that fully answers the question; citing
  any one of them is correct. An empty list marks a "no answer" case: the
  product is in scope but the help center does not cover the question, so a
  good answer says it does not know (and may offer to contact support)
  instead of inventing facts. These cases have no ``facts``.
* ``facts`` is a list of groups; each group lists acceptable spellings of one
  fact the answer must contain (match any spelling in the group,
  case-insensitively). Every fact is stated in one of the listed articles.
* ``screenshot_text`` holds the text lines an attached screenshot of an
  error dialog (or page) would show: title, the line with the code, button
  labels. Some questions only make sense together with it ("what does this
  mean?").
* Every Chinese case is answerable from a Chinese article (or is a no-answer
  case about a topic covered in no language). There are no Chinese questions
  about topics that only exist in English.
* No case was written to be matched by a rule; styles and lengths are mixed
  on purpose, so tune on the set as a whole, never on single cases.
"""

from dataclasses import dataclass, field
from typing import List, Optional


@dataclass
class Case:
    id: str
    lang: str  # "en" or "zh"
    question: str
    articles: List[str]  # slugs; [] = the help center has no answer
    facts: List[List[str]] = field(default_factory=list)
    screenshot_text: Optional[List[str]] = None


CASES: List[Case] = [
    # ------------------------------------------------------------------ EN
    # accounts and sign-in
    Case(
        id="en-001", lang="en",
        question="forgot my password and the reset email never showed up, what now?",
        articles=["reset-password"],
        facts=[["spam", "junk"], ["60 seconds", "once a minute", "every minute", "1 minute"]],
    ),
    Case(
        id="en-002", lang="en",
        question="how long is the password reset link good for",
        articles=["reset-password"],
        facts=[["30 minutes", "30 min", "thirty minutes"]],
    ),
    Case(
        id="en-003", lang="en",
        question="clicked the link from your email and got this. I only requested it this morning",
        articles=["reset-password"],
        facts=[["30 minutes", "30 min", "thirty minutes"],
               ["Forgot password", "new link", "request another", "request a new"]],
        screenshot_text=["Lumora", "This link has expired", "Request a new link"],
    ),
    Case(
        id="en-004", lang="en",
        question="What are the rules for a new password? It keeps rejecting mine even though it's long.",
        articles=["reset-password"],
        facts=[["10 characters", "10 chars", "ten characters"],
               ["last 3", "last three", "previous 3", "previous three"]],
    ),
    Case(
        id="en-005", lang="en",
        question="pasword reset not working, I log in with my google account",
        articles=["reset-password"],
        facts=[["Sign in with Google", "Google button", "with Google", "reset the password with Google",
                "no Lumora password", "don't have a Lumora password", "do not have a Lumora password"]],
    ),
    Case(
        id="en-006", lang="en",
        question="I get this when logging in, how long do I have to wait?",
        articles=["account-locked"],
        facts=[["15 minutes", "15 min", "fifteen minutes"],
               ["restarts", "restart the timer", "resets the timer", "starts again", "starts over"]],
        screenshot_text=["Sign-in temporarily blocked",
                         "ERR-1102: Too many failed attempts. Try again in 15 minutes.",
                         "Reset password", "OK"],
    ),
    Case(
        id="en-007", lang="en",
        question="how many wrong passwords before lumora locks me out",
        articles=["account-locked"],
        facts=[["5 failed", "5 attempts", "5 wrong", "5 times", "5 consecutive", "5 incorrect",
                "5 unsuccessful", "five failed", "five attempts", "five wrong", "five times",
                "five consecutive", "five incorrect"]],
    ),
    Case(
        id="en-008", lang="en",
        question="Got locked out AGAIN, third time today. Waited the 15 min but it still won't let me in??",
        articles=["account-locked"],
        facts=[["reset your password", "reset the password", "password reset", "reset password"],
               ["3 times within 24 hours", "3 times in 24 hours", "three times within 24 hours",
                "three times in 24 hours", "24 hours"]],
    ),
    Case(
        id="en-009", lang="en",
        question=("I just got an email saying 'Unusual sign-in activity on your Lumora account' but I "
                  "haven't touched the app in days. Is someone in my account? What should I do to "
                  "lock it down?"),
        articles=["account-locked", "two-factor-authentication"],
        facts=[["two-factor", "2FA", "two factor"], ["Signed-in devices", "sign out"]],
    ),
    Case(
        id="en-010", lang="en",
        question="how do i turn on 2 step verification",
        articles=["two-factor-authentication"],
        facts=[["Two-factor authentication"], ["backup codes", "backup code"]],
    ),
    Case(
        id="en-011", lang="en",
        question="code from google authenticator doesnt work. typed it exactly",
        articles=["two-factor-authentication"],
        facts=[["30 seconds"], ["set automatically", "date and time", "clock", "automatic time"]],
        screenshot_text=["Two-step verification",
                         "ERR-1107: Verification code is invalid or has expired.",
                         "Try again", "Use a backup code"],
    ),
    Case(
        id="en-012", lang="en",
        question=("My phone got stolen last weekend. I had two-factor on and now I can't get the 6 digit "
                  "codes anymore, and honestly I never saved those backup codes. How do I get back in?"),
        articles=["two-factor-authentication"],
        facts=[["3 business days", "three business days"],
               ["order number", "last 4 digits", "last four digits"]],
    ),
    Case(
        id="en-013", lang="en",
        question="how many backup codes do i get and can I use one more than once",
        articles=["two-factor-authentication"],
        facts=[["10 backup codes", "10 codes", "ten backup codes", "ten codes"],
               ["once", "single use", "single-use", "one time"]],
    ),
    Case(
        id="en-014", lang="en",
        question="how do i chnage my emial adress to my work one",
        articles=["change-email"],
        facts=[["Account details"], ["24 hours"]],
    ),
    Case(
        id="en-015", lang="en",
        question="trying to switch the login email and it shows this. that address is mine!",
        articles=["change-email"],
        facts=[["cannot be merged", "can't be merged", "can not be merged", "not be merged", "can't merge",
                "cannot merge"],
               ["delete", "change its email", "change the email", "change that account"]],
        screenshot_text=["Change email", "This email is already in use.", "OK"],
    ),
    Case(
        id="en-016", lang="en",
        question="I signed up with Apple and there is no Change email button anywhere",
        articles=["change-email"],
        facts=[["Hide My Email", "privaterelay", "contact support"]],
    ),
    Case(
        id="en-017", lang="en",
        question="i want to close my lumora account for good. what happens to the hub afterwards, can my brother use it?",
        articles=["delete-account"],
        facts=[["factory reset", "E-401"], ["30 days", "30-day"]],
    ),
    Case(
        id="en-018", lang="en",
        question="Deleted my account by accident last week!! please tell me it can be undone",
        articles=["delete-account"],
        facts=[["Restore account"], ["30 days", "30-day"]],
    ),
    Case(
        id="en-019", lang="en",
        question="why wont it let me delete my account",
        articles=["delete-account"],
        facts=[["delivered", "return", "RMA"]],
        screenshot_text=["Can't delete account", "Your account has open orders", "OK"],
    ),
    Case(
        id="en-020", lang="en",
        question="if i delete everything do you still keep my invoices? GDPR",
        articles=["delete-account"],
        facts=[["7 years", "seven years"]],
    ),
    # billing and invoices
    Case(
        id="en-021", lang="en",
        question="how much is lumora plus",
        articles=["plans-and-pricing"],
        facts=[["$4.99", "4.99"], ["$49.99", "49.99"]],
    ),
    Case(
        id="en-022", lang="en",
        question="whats the difference between free and plus, do i get more video history?",
        articles=["plans-and-pricing"],
        facts=[["60 days", "60-day"], ["7 days", "7-day"]],
    ),
    Case(
        id="en-023", lang="en",
        question=("Does a new hub come with some kind of trial of the premium plan? And will I just get "
                  "charged when it runs out without warning?"),
        articles=["plans-and-pricing"],
        facts=[["30-day", "30 days", "30 day"], ["3 days before", "three days before", "reminder"]],
    ),
    Case(
        id="en-024", lang="en",
        question="how many automations can I create without paying anything",
        articles=["plans-and-pricing"],
        facts=[["10 automations", "up to 10", "ten automations", "limit of 10", "maximum of 10", "max 10"]],
    ),
    Case(
        id="en-025", lang="en",
        question="price in euros for a year?",
        articles=["plans-and-pricing"],
        facts=[["€49.99", "49.99 €", "49.99 euro", "EUR 49.99", "49,99"]],
    ),
    Case(
        id="en-026", lang="en",
        question="I want to switch to yearly billing. Do I lose what I already paid this month?",
        articles=["change-plan"],
        facts=[["immediately", "right away", "straight away"], ["credit", "credited", "prorat"]],
    ),
    Case(
        id="en-027", lang="en",
        question="if I go from annual back to monthly do I get the rest of my year back?",
        articles=["change-plan", "refund-policy"],
        facts=[["end of"], ["not refunded", "no refund", "won't be refunded", "not be refunded",
                            "no partial refund"]],
    ),
    Case(
        id="en-028", lang="en",
        question="how do I stop paying for plus",
        articles=["change-plan"],
        facts=[["Cancel Lumora Plus"], ["until the end", "end of the period", "end of your billing period",
                                        "end of the paid period"]],
    ),
    Case(
        id="en-029", lang="en",
        question="tried to cancel plus in the app and got this, on an iphone 14",
        articles=["change-plan"],
        facts=[["Settings"], ["Subscriptions"]],
        screenshot_text=["Can't change subscription",
                         "ERR-4090: This subscription is managed by another store.",
                         "Open store settings", "Close"],
    ),
    Case(
        id="en-030", lang="en",
        question="I uninstalled the app weeks ago, am I still being billed?",
        articles=["change-plan"],
        facts=[["does not cancel", "doesn't cancel", "not cancel", "won't cancel"]],
    ),
    Case(
        id="en-031", lang="en",
        question=("bought the yearly plan 10 days ago, turns out I don't really use the extra features. "
                  "is it too late to get my money back?"),
        articles=["refund-policy"],
        facts=[["14 days", "14-day", "fourteen days"], ["full refund", "in full", "fully refund"]],
    ),
    Case(
        id="en-032", lang="en",
        question="refund for monthly subscription?",
        articles=["refund-policy"],
        facts=[["not refundable", "non-refundable", "no refund", "not eligible"]],
    ),
    Case(
        id="en-033", lang="en",
        question="I paid through google play on my pixel, can you refund me directly",
        articles=["refund-policy"],
        facts=[["cannot refund", "can't refund", "Google handle", "handled by Google", "Google handles",
                "Budget & history"]],
    ),
    Case(
        id="en-034", lang="en",
        question="how long until the refund shows up on my visa",
        articles=["refund-policy"],
        facts=[["5–10 business days", "5-10 business days", "5 to 10 business days"]],
    ),
    Case(
        id="en-035", lang="en",
        question="what does this mean, my card is fine and has money on it",
        articles=["failed-payment"],
        facts=[["LUMORA*PLUS"], ["Retry payment now", "retry"]],
        screenshot_text=["Payment failed", "ERR-4031: Your payment was declined by your bank.",
                         "Update payment method", "Later"],
    ),
    Case(
        id="en-036", lang="en",
        question="renewal payment didn't go through. do I lose plus features right away?",
        articles=["failed-payment"],
        facts=[["7 days", "seven days"], ["1, 3 and 7", "1, 3, and 7", "3 times", "three times"]],
    ),
    Case(
        id="en-037", lang="en",
        question=("My card expired and I guess my Plus got downgraded to the free version. Is my older "
                  "camera event history gone forever now or can I still get it back?"),
        articles=["failed-payment"],
        facts=[["30 days", "30 more days"]],
    ),
    Case(
        id="en-038", lang="en",
        question="What does ERR-4031 mean",
        articles=["failed-payment"],
        facts=[["declined"]],
    ),
    Case(
        id="en-039", lang="en",
        question="where can I get a pdf of my invoice",
        articles=["download-invoices"],
        facts=[["Billing > Invoices", "Invoices"], ["Download PDF"]],
    ),
    Case(
        id="en-040", lang="en",
        question="ordered a hub 2 days ago and there's no invoice in my account, only the confirmation email",
        articles=["download-invoices"],
        facts=[["ships", "shipped", "when the order ships", "dispatch"]],
    ),
    Case(
        id="en-041", lang="en",
        question="need all invoices since 2019 for my accountant, the app only shows the last year",
        articles=["download-invoices"],
        facts=[["7 years", "seven years"], ["account.lumora.example"]],
    ),
    Case(
        id="en-042", lang="en",
        question="receipt for the plus subscription i bought on my iPhone through the app store?",
        articles=["download-invoices"],
        facts=[["reportaproblem.apple.com", "from Apple", "receipt from Apple", "Apple receipt",
                "Apple's receipt"]],
    ),
    Case(
        id="en-043", lang="en",
        question="i need an invoice with my company name and VAT number on it, we're a small business in Germany",
        articles=["company-invoices-vat"],
        facts=[["Billing details", "Add company details"], ["reverse charge", "0% VAT", "0 % VAT"]],
    ),
    Case(
        id="en-044", lang="en",
        question=("I forgot to add our VAT ID before buying 3 hubs last month. Can you fix the invoice "
                  "and give us back the VAT we paid?"),
        articles=["company-invoices-vat"],
        facts=[["90 days"], ["Request corrected invoice", "corrected invoice"],
               ["not refunded", "not be refunded", "won't be refunded", "no refund", "is not refunded"]],
    ),
    Case(
        id="en-045", lang="en",
        question="our dutch company has a VAT number, why are we still being charged VAT?",
        articles=["company-invoices-vat"],
        facts=[["Netherlands"], ["normal rate", "are charged VAT", "pay VAT"]],
    ),
    Case(
        id="en-046", lang="en",
        question="theres two charges of 49.99 on my bank statement from lumora this month",
        articles=["double-charge"],
        facts=[["LUMORA*PLUS", "LUMORA*STORE"], ["last 4 digits", "last four digits"]],
    ),
    Case(
        id="en-047", lang="en",
        question="why is there a $1 charge from Lumora on my card? I didn't buy anything",
        articles=["double-charge"],
        facts=[["verification", "hold"], ["3–5 business days", "3-5 business days", "3 to 5 business days"]],
    ),
    Case(
        id="en-048", lang="en",
        question=("I was billed twice for the same month of Plus but only noticed now, it's been about "
                  "three weeks so I'm past the 14 days. Can I still get the extra one back?"),
        articles=["double-charge"],
        facts=[["in full", "full refund", "fully"], ["5–10 business days", "5-10 business days",
                                                      "5 to 10 business days"]],
    ),
    # orders and shipping
    Case(
        id="en-049", lang="en",
        question="how long does shipping to canada take",
        articles=["delivery-times"],
        facts=[["5–8", "5-8", "5 to 8"]],
    ),
    Case(
        id="en-050", lang="en",
        question="if i order at 4pm today when will it ship out?",
        articles=["delivery-times"],
        facts=[["next business day", "next working day"], ["2 pm", "2pm", "14:00"]],
    ),
    Case(
        id="en-051", lang="en",
        question="is shipping free?",
        articles=["delivery-times"],
        facts=[["$75", "75"], ["$5.95", "5.95"]],
    ),
    Case(
        id="en-052", lang="en",
        question="can you send it to my PO box",
        articles=["delivery-times"],
        facts=[["do not ship", "don't ship", "cannot ship", "not ship", "can't ship"]],
    ),
    Case(
        id="en-053", lang="en",
        question="wheres my package, tracking just says label created since yesterday",
        articles=["track-order"],
        facts=[["48 hours", "48 hrs", "2 days", "two days"]],
    ),
    Case(
        id="en-054", lang="en",
        question="UPS says delivered but there is nothing at my door",
        articles=["track-order"],
        facts=[["48 hours", "48 hrs"], ["14 days"]],
    ),
    Case(
        id="en-055", lang="en",
        question="I typed the wrong street in my order like an hour ago, can I still fix it?",
        articles=["change-shipping-address"],
        facts=[["Change address"], ["Received", "Processing"]],
    ),
    Case(
        id="en-056", lang="en",
        question="order already shows Packed, I need it sent to my office instead of home",
        articles=["change-shipping-address"],
        facts=[["redirect", "UPS My Choice", "DHL On Demand"], ["refuse"]],
    ),
    Case(
        id="en-057", lang="en",
        question=("Hi! I just moved from Brussels to Lyon and realised my order is still going to my old "
                  "Belgian address. Can you update it to France please?"),
        articles=["change-shipping-address"],
        facts=[["cancel"], ["same country"]],
    ),
    Case(
        id="en-058", lang="en",
        question="the hub arrived with a cracked case :(",
        articles=["returns-damaged-wrong-items"],
        facts=[["7 days", "seven days"], ["Report a problem"], ["RMA"]],
    ),
    Case(
        id="en-059", lang="en",
        question="ordered a motion sensor but got a door sensor in the box",
        articles=["returns-damaged-wrong-items"],
        facts=[["Wrong item"], ["prepaid", "free"]],
    ),
    Case(
        id="en-060", lang="en",
        question="can I return the hub if i just don't like it? had it for 3 weeks",
        articles=["returns-damaged-wrong-items"],
        facts=[["30 days", "30-day"], ["$6.95", "6.95"]],
    ),
    Case(
        id="en-061", lang="en",
        question="got an RMA number by email. how long do i have to post the box back?",
        articles=["returns-damaged-wrong-items"],
        facts=[["14 days", "fourteen days"]],
    ),
    Case(
        id="en-062", lang="en",
        question="my hub just died after 8 months, no lights at all",
        articles=["returns-damaged-wrong-items"],
        facts=[["2-year", "2 year", "two-year", "two year"], ["serial number", "LH2-"]],
    ),
    Case(
        id="en-063", lang="en",
        question="do I have to pay customs if i order to switzerland",
        articles=["customs-and-import-duties"],
        facts=[["carrier"], ["DAP", "duties unpaid", "on delivery", "at delivery"]],
    ),
    Case(
        id="en-064", lang="en",
        question="Will I get hit with import fees ordering to Australia?",
        articles=["customs-and-import-duties"],
        facts=[["included", "DDP", "duties paid"]],
    ),
    Case(
        id="en-065", lang="en",
        question="package has been stuck at customs in Norway for days, what do I do",
        articles=["customs-and-import-duties"],
        facts=[["2–5 business days", "2-5 business days", "2 to 5 business days"], ["documents", "invoice"]],
    ),
    # error codes
    Case(
        id="en-066", lang="en",
        question="my hub keeps going offline every night and i get this popup in the morning",
        articles=["hub-offline-err-2204"],
        facts=[["2.4 GHz", "2.4GHz", "2.4 ghz"], ["10 seconds", "unplug"]],
        screenshot_text=["Hub unreachable", "ERR-2204: Lumora can't reach your hub \"Bedroom Hub\".",
                         "Troubleshoot", "Dismiss"],
    ),
    Case(
        id="en-067", lang="en",
        question="ERR 2204??",
        articles=["hub-offline-err-2204"],
        facts=[["unplug", "power-cycle", "restart the hub", "power cable"], ["router"]],
    ),
    Case(
        id="en-068", lang="en",
        question="the ring light on top of the hub is kind of pulsing orange, is that bad?",
        articles=["hub-offline-err-2204", "hub-wifi-errors"],
        facts=[["no internet", "not connected to the internet", "without internet", "can't reach the internet",
                "no internet access", "isn't reaching the internet", "does not reach the internet"]],
    ),
    Case(
        id="en-069", lang="en",
        question="display says E-207 after i changed my router password",
        articles=["hub-wifi-errors"],
        facts=[["Change network"], ["case-sensitive", "case sensitive", "WPA2", "WPA3"]],
    ),
    Case(
        id="en-070", lang="en",
        question="setting up my new hub and keep getting this even though the password is 100% correct",
        articles=["hub-wifi-errors"],
        facts=[["WPA3-only", "WPA3 only", "WPA3"], ["mixed mode", "WPA2/WPA3"]],
        screenshot_text=["Wrong Wi-Fi password (E-207)", "The hub couldn't join \"Home-WiFi\".",
                         "Re-enter password", "Use Ethernet"],
    ),
    Case(
        id="en-071", lang="en",
        question=("brought my hub to the holiday rental, it says connected to wifi but the little screen "
                  "shows E-209 and nothing works. you have to accept terms on a web page to get online here"),
        articles=["hub-wifi-errors"],
        facts=[["sign-in page", "sign-in pages", "captive", "login page", "web page"],
               ["main network", "Ethernet", "another network", "different network"]],
    ),
    Case(
        id="en-072", lang="en",
        question="hub screen shows E-112 this morning",
        articles=["hub-display-codes"],
        facts=[["10 minutes"], ["3 seconds", "UPD"]],
    ),
    Case(
        id="en-073", lang="en",
        question="bought a used hub on ebay, the screen says E-401 and the app won't add it",
        articles=["hub-display-codes"],
        facts=[["15 seconds"], ["RESET"], ["Remove hub", "previous owner"]],
    ),
    Case(
        id="en-074", lang="en",
        question="E-315 keeps coming back even after restarting it",
        articles=["hub-display-codes"],
        facts=[["warranty", "faulty"], ["5 V", "5V", "original power adapter", "original adapter"]],
    ),
    Case(
        id="en-075", lang="en",
        question="can't add my new door sensor, tried 4 times",
        articles=["pairing-failed-err-3301"],
        facts=[["3 metres", "3 meters", "10 feet", "3 m"], ["pairing mode"]],
        screenshot_text=["Couldn't add device", "ERR-3301: The hub didn't find your device.",
                         "Try again", "Cancel"],
    ),
    Case(
        id="en-076", lang="en",
        question="cant add any more sensors",
        articles=["pairing-failed-err-3301", "app-error-codes"],
        facts=[["128"]],
        screenshot_text=["Device limit reached", "ERR-3305: This hub already controls 128 devices.",
                         "Manage devices", "OK"],
    ),
    Case(
        id="en-077", lang="en",
        question="nothing loads in the app tonight. will my porch lights still turn on at sunset?",
        articles=["app-error-codes"],
        facts=[["status.lumora.example"], ["Run on hub", "keep working", "keeps working", "continue"]],
        screenshot_text=["Something went wrong", "ERR-5003: Lumora service is temporarily unavailable.",
                         "Retry"],
    ),
    Case(
        id="en-078", lang="en",
        question="app won't open on my old iPad anymore",
        articles=["app-error-codes"],
        facts=[["5.0"], ["app.lumora.example", "web app", "iOS 16"]],
        screenshot_text=["Update required", "ERR-6010: This version of Lumora is no longer supported.",
                         "Update now"],
    ),
    Case(
        id="en-079", lang="en",
        question="Can my Wi-Fi cameras from another brand pair with the Lumora hub?",
        articles=["pairing-failed-err-3301"],
        facts=[["Works with Lumora"]],
    ),
    # no answer (EN)
    Case(id="en-080", lang="en", question="Does Lumora work with my Tesla?", articles=[]),
    Case(id="en-081", lang="en", question="is there a lumora app for apple watch", articles=[]),
    Case(id="en-082", lang="en", question="Can I pay with Bitcoin in the Lumora store?", articles=[]),
    Case(id="en-083", lang="en", question="do you guys have a student discount on plus?", articles=[]),
    Case(id="en-084", lang="en",
         question="Can I mount the hub outside on my porch, is it waterproof?", articles=[]),
    Case(id="en-085", lang="en",
         question="can I pick up my order myself at the Rotterdam warehouse to save on shipping", articles=[]),
    Case(id="en-086", lang="en",
         question="How do I transfer my Lumora Plus subscription to my wife's account?", articles=[]),
    Case(id="en-087", lang="en",
         question="does the hub have a battery so it keeps working in a power cut", articles=[]),
    Case(id="en-088", lang="en",
         question="I'd like to become a reseller of Lumora products in Poland, who do I talk to?", articles=[]),

    # ------------------------------------------------------------------ ZH
    Case(
        id="zh-001", lang="zh",
        question="忘记密码了怎么办",
        articles=["reset-password"],
        facts=[["忘记密码"], ["30 分钟", "30分钟", "三十分钟"]],
    ),
    Case(
        id="zh-002", lang="zh",
        question="重置密码的邮件一直收不到，点了好几次了",
        articles=["reset-password"],
        facts=[["垃圾邮件"], ["60 秒", "60秒", "一分钟", "每小时最多 5 次", "每小时最多5次"]],
    ),
    Case(
        id="zh-003", lang="zh",
        question="新密码有啥要求？一直提示不符合",
        articles=["reset-password"],
        facts=[["10 个字符", "10个字符", "十个字符", "10 位", "10位"], ["最近 3 次", "最近3次", "最近三次"]],
    ),
    Case(
        id="zh-004", lang="zh",
        question="登不上去了，出现这个，要等多久",
        articles=["account-locked"],
        facts=[["15 分钟", "15分钟", "十五分钟"], ["重新开始计时", "重新计时"]],
        screenshot_text=["登录暂时受限", "ERR-1102：尝试次数过多，请在 15 分钟后重试。", "重置密码", "好"],
    ),
    Case(
        id="zh-005", lang="zh",
        question="密码输错几次会被锁？",
        articles=["account-locked"],
        facts=[["5 次", "5次", "五次"]],
    ),
    Case(
        id="zh-006", lang="zh",
        question="今天已经被锁了三次了，等了十五分钟还是进不去，怎么回事",
        articles=["account-locked"],
        facts=[["重置密码"], ["24 小时", "24小时"]],
    ),
    Case(
        id="zh-007", lang="zh",
        question="怎么开启两步验证？",
        articles=["two-factor-authentication"],
        facts=[["双重验证"], ["备用码"]],
    ),
    Case(
        id="zh-008", lang="zh",
        question="验证器里的码明明是对的，为什么一直提示这个",
        articles=["two-factor-authentication"],
        facts=[["30 秒", "30秒"], ["自动", "日期和时间", "时间"]],
        screenshot_text=["安全验证", "ERR-1107：验证码无效或已过期", "重试", "使用备用码"],
    ),
    Case(
        id="zh-009", lang="zh",
        question="手机丢了，收不到验证码，备用码当时也没存，现在完全登录不了，怎么办啊",
        articles=["two-factor-authentication"],
        facts=[["3 个工作日", "3个工作日", "三个工作日"], ["订单号", "后 4 位", "后4位", "后四位"]],
    ),
    Case(
        id="zh-010", lang="zh",
        question="Lumora Plus 多少钱一个月",
        articles=["plans-and-pricing"],
        facts=[["¥35", "35 元", "35元", "35/月"]],
    ),
    Case(
        id="zh-011", lang="zh",
        question="年付多少钱？比按月买划算吗",
        articles=["plans-and-pricing"],
        facts=[["¥349", "349"], ["10 个月", "10个月", "十个月"]],
    ),
    Case(
        id="zh-012", lang="zh",
        question="不开会员的话录像记录能保存几天",
        articles=["plans-and-pricing"],
        facts=[["7 天", "7天", "七天"]],
    ),
    Case(
        id="zh-013", lang="zh",
        question="买新中枢送会员试用吗？试用完了会不会直接扣钱",
        articles=["plans-and-pricing"],
        facts=[["30 天", "30天"], ["3 天", "3天", "三天", "提醒"]],
    ),
    Case(
        id="zh-014", lang="zh",
        question="年费买了一周，发现用不上，能退吗",
        articles=["refund-policy"],
        facts=[["14 天", "14天", "十四天"], ["全额退款", "全额"]],
    ),
    Case(
        id="zh-015", lang="zh",
        question="月付的可以退款吗",
        articles=["refund-policy"],
        facts=[["不予退款", "不能退款", "不支持退款", "不可退款", "无法退款"]],
    ),
    Case(
        id="zh-016", lang="zh",
        question="退款多久能到账？我当时是用微信付的",
        articles=["refund-policy", "wechat-pay"],
        facts=[["1–3 个工作日", "1-3 个工作日", "1–3个工作日", "1-3个工作日", "1到3个工作日", "1 到 3 个工作日"]],
    ),
    Case(
        id="zh-017", lang="zh",
        question="续费的时候弹出这个，我开的是微信自动续费",
        articles=["failed-payment", "wechat-pay"],
        facts=[["余额"], ["立即重试付款", "重试"]],
        screenshot_text=["付款失败", "ERR-4031：您的付款被银行拒绝。", "更新支付方式", "稍后"],
    ),
    Case(
        id="zh-018", lang="zh",
        question="续费没扣成功，Plus 的功能会马上没有吗",
        articles=["failed-payment"],
        facts=[["7 天", "7天", "七天"], ["3 次", "3次", "三次"]],
    ),
    Case(
        id="zh-019", lang="zh",
        question="电脑上下单怎么用微信付",
        articles=["wechat-pay"],
        facts=[["扫一扫", "二维码", "扫码"], ["30 分钟", "30分钟"]],
    ),
    Case(
        id="zh-020", lang="zh",
        question="我的订单怎么自己取消了？下完单去吃了个饭回来就没了",
        articles=["wechat-pay"],
        facts=[["30 分钟", "30分钟"], ["重新下单"]],
    ),
    Case(
        id="zh-021", lang="zh",
        question="怎么关掉微信里 lumora 的自动扣费",
        articles=["wechat-pay"],
        facts=[["自动续费"], ["支付设置", "管理自动续费"]],
    ),
    Case(
        id="zh-022", lang="zh",
        question="公司报销需要发票，怎么开",
        articles=["fapiao"],
        facts=[["申请发票"], ["纳税人识别号", "税号", "统一社会信用代码"]],
    ),
    Case(
        id="zh-023", lang="zh",
        question="能开专票吗？需要提供哪些信息",
        articles=["fapiao"],
        facts=[["开户银行", "开户行"], ["5 个工作日", "5个工作日", "五个工作日"]],
    ),
    Case(
        id="zh-024", lang="zh",
        question="发票抬头写错了能重开吗",
        articles=["fapiao"],
        facts=[["30 天", "30天"], ["1 次", "1次", "一次"]],
    ),
    Case(
        id="zh-025", lang="zh",
        question="刚下单还没发货，可以先把发票开了吗？财务催得急",
        articles=["fapiao"],
        facts=[["发货后", "发货之后", "发货以后"]],
    ),
    Case(
        id="zh-026", lang="zh",
        question="在苹果 App Store 里订阅的会员能开发票吗",
        articles=["fapiao"],
        facts=[["Apple", "苹果"], ["无法开具", "不能开具", "无法开", "不能开"]],
    ),
    Case(
        id="zh-027", lang="zh",
        question="上海发货到北京大概要几天",
        articles=["delivery-times"],
        facts=[["2–5", "2-5", "2 到 5", "2到5", "2至5"], ["顺丰"]],
    ),
    Case(
        id="zh-028", lang="zh",
        question="运费怎么算，要另外加钱吗",
        articles=["delivery-times"],
        facts=[["免运费", "包邮", "免费"]],
    ),
    Case(
        id="zh-029", lang="zh",
        question="下午四点下的单今天能发货吗",
        articles=["delivery-times"],
        facts=[["14:00", "下午 2 点", "下午2点", "两点"], ["下一个工作日", "次日", "第二个工作日"]],
    ),
    Case(
        id="zh-030", lang="zh",
        question="收到的中枢外壳裂了一道",
        articles=["returns-damaged-wrong-items"],
        facts=[["7 天", "7天", "七天"], ["RMA"], ["反馈问题"]],
    ),
    Case(
        id="zh-031", lang="zh",
        question="支持无理由退货吗？退货运费谁出",
        articles=["returns-damaged-wrong-items"],
        facts=[["30 天", "30天"], ["¥20", "20 元", "20元"]],
    ),
    Case(
        id="zh-032", lang="zh",
        question="中枢用了一年多突然坏了，还能保修吗",
        articles=["returns-damaged-wrong-items"],
        facts=[["2 年", "2年", "两年"], ["LH2-", "序列号"]],
    ),
    Case(
        id="zh-033", lang="zh",
        question="从昨晚开始一直这样，我设置的自动化还会执行吗",
        articles=["hub-offline-err-2204"],
        facts=[["在中枢上运行"], ["10 秒", "10秒", "重启路由器"]],
        screenshot_text=["无法连接中枢", "ERR-2204：Lumora 无法连接到您的中枢“卧室中枢”。", "排查问题", "关闭"],
    ),
    Case(
        id="zh-034", lang="zh",
        question="中枢上面那圈灯一直黄色一闪一闪的",
        articles=["hub-offline-err-2204", "hub-wifi-errors"],
        facts=[["无法上网", "不能上网", "没有网络", "无法访问互联网"]],
    ),
    Case(
        id="zh-035", lang="zh",
        question="换了新路由器之后中枢就连不上了，wifi名字和密码都变了",
        articles=["hub-offline-err-2204", "hub-wifi-errors"],
        facts=[["更换网络"], ["2.4 GHz", "2.4GHz", "2.4G"]],
    ),
    Case(
        id="zh-036", lang="zh",
        question="密码肯定没输错，一直这样",
        articles=["hub-wifi-errors"],
        facts=[["WPA3"], ["2.4 GHz", "2.4GHz", "2.4G", "混合模式"]],
        screenshot_text=["Wi-Fi 密码错误（E-207）", "中枢无法加入“ChinaNet-5G”。", "重新输入密码", "使用有线网络"],
    ),
    Case(
        id="zh-037", lang="zh",
        question="出差带着中枢住酒店，屏幕显示E-209是什么意思",
        articles=["hub-wifi-errors"],
        facts=[["网页认证"]],
    ),
    # no answer (ZH)
    Case(id="zh-038", lang="zh", question="Lumora 中枢支持接入小米米家吗？", articles=[]),
    Case(id="zh-039", lang="zh", question="买中枢可以用花呗分期吗", articles=[]),
    Case(id="zh-040", lang="zh", question="有没有线下门店可以先体验一下", articles=[]),
    Case(id="zh-041", lang="zh", question="中枢能放在浴室里吗？防不防水", articles=[]),
]
