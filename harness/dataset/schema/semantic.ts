// What a column holds, guessed from its name: `email`, `"createdAt"`, `last_login_ip`,
// `"stripeCustomerId"`. Names are split into words (camelCase and snake_case alike) and
// matched as whole words, so `description` is long text but `prescription_id` is not.

export type Semantic =
  | 'email' | 'firstName' | 'lastName' | 'fullName' | 'username' | 'phone' | 'url' | 'imageUrl'
  | 'country' | 'countryCode' | 'city' | 'region' | 'address' | 'zip' | 'company' | 'jobTitle'
  | 'title' | 'longText' | 'slug' | 'token' | 'passwordHash' | 'ip' | 'latitude' | 'longitude'
  | 'money' | 'currency' | 'locale' | 'timezone' | 'color' | 'createdAt' | 'updatedAt' | 'deletedAt'
  | 'birthDate' | 'futureAt' | 'at' | 'count' | 'category' | 'externalId' | 'quantity' | 'position'
  | 'percent' | 'rating' | 'age' | 'year' | 'duration' | 'version' | 'fileName' | 'mimeType'
  | 'userAgent' | 'domain' | 'code' | 'name' | 'json' | 'tags';

/** Words of an identifier: "createdAt" → created at; "user_ID" → user id; "HTTPStatus" → http status. */
export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** [pattern over "_word_word_", semantic]: first match wins, so specific rules come first. */
const RULES: [RegExp, Semantic][] = [
  [/_(e_?mail)(_address)?_$/, 'email'],
  [/_(ip|ip_address|remote_addr|remote_ip|ip_addr)_$/, 'ip'],
  [/_user_agent_$|_ua_$/, 'userAgent'],
  [/_(password|passwd|password_hash|encrypted_password|hashed_password|password_digest)_$/, 'passwordHash'],
  [/_(avatar|image|photo|picture|logo|thumbnail|icon|cover|banner)(_url|_uri|_src|_path)?_$/, 'imageUrl'],
  [/_(url|uri|website|homepage|link|href|web_site|site_url|callback)_$/, 'url'],
  [/_(first_?name|given_name|fname|forename)_$/, 'firstName'],
  [/_(last_?name|surname|family_name|lname)_$/, 'lastName'],
  [/_(full_name|display_name|fullname|displayname|contact_name|author_name|customer_name|owner_name|recipient_name|billing_name)_$/, 'fullName'],
  [/_(user_?name|login|handle|nickname|screen_name|nick)_$/, 'username'],
  [/_(phone|mobile|telephone|tel|fax|cell|phone_number|mobile_number|msisdn)(_number)?_$/, 'phone'],
  [/_(country_code|country_iso|iso_country|country_alpha2|cc)_$/, 'countryCode'],
  [/_country(_name)?_$/, 'country'],
  [/_(city|town|locality)(_name)?_$/, 'city'],
  [/_(province|region|county|state_name|state_province)_$/, 'region'],
  [/_(zip|zip_code|zipcode|postal_code|postcode|post_code|postal)_$/, 'zip'],
  [/_(address|street|street_address|address_line_?1|address_line_?2|address1|address2|line1|line2|billing_address|shipping_address)_$/, 'address'],
  [/_(company|company_name|organization_name|organisation_name|employer|business_name|vendor_name)_$/, 'company'],
  [/_(job_title|occupation|position_title)_$/, 'jobTitle'],
  [/_(latitude|lat)_$/, 'latitude'],
  [/_(longitude|lng|lon|long)_$/, 'longitude'],
  [/_(currency|currency_code)_$/, 'currency'],
  [/_(locale|language|lang|language_code)_$/, 'locale'],
  [/_(timezone|time_zone|tz|tzid)_$/, 'timezone'],
  [/_(colou?r|hex_colou?r|background_colou?r|colou?r_hex)_$/, 'color'],
  [/_(created|inserted|added|creation|registered|signed_up|joined)(_at|_on|_date|_time|_timestamp)?_$/, 'createdAt'],
  [/_(updated|modified|changed|edited|last_modified|last_updated)(_at|_on|_date|_time|_timestamp)?_$/, 'updatedAt'],
  [/_(deleted|archived|removed|banned|revoked|cancell?ed|disabled|deactivated|soft_deleted)(_at|_on|_date|_time)?_$/, 'deletedAt'],
  [/_(birth_?date|date_of_birth|dob|birthday|born_on|born_at)_$/, 'birthDate'],
  [/_(expires?|expiry|expiration|due|scheduled|starts|ends|valid_until|deadline)(_at|_on|_date|_time)?_$/, 'futureAt'],
  [/_(at|on|date|time|timestamp|datetime|ts)_$/, 'at'],
  [/_(slug|permalink|handle_slug)_$/, 'slug'],
  [/_(hashed|encrypted)_[a-z0-9_]+_$/, 'token'],
  [/_(uid|guid|cuid|token|secret|hash|digest|checksum|signature|salt|nonce|api_key|apikey|secret_key|private_key|public_key|access_key|fingerprint|etag|sha|md5|sha1|sha256|idempotency_key|session_id|session_key)_$/, 'token'],
  [/_(price|amount|total|cost|balance|fee|subtotal|sub_total|tax|discount|revenue|salary|budget|paid|refund|credit|debit|spend|value_cents|unit_price|amount_cents|price_cents|total_cents)(_cents|_amount|_usd|_eur)?_$/, 'money'],
  [/_(count|counter|total_count|num|number_of|n)_$|^_(num|number_of|count)_/, 'count'],
  [/_(quantity|qty|units|seats|stock|inventory)_$/, 'quantity'],
  [/_(position|sort_order|sort_index|sort|order|rank|ranking|ordinal|index|idx|sequence|seq|display_order|weight)_$/, 'position'],
  [/_(percent|percentage|pct|ratio|rate|progress|probability|share)_$/, 'percent'],
  [/_(rating|score|stars|grade)_$/, 'rating'],
  [/_age_$/, 'age'],
  [/_year_$/, 'year'],
  [/_(duration|seconds|secs|minutes|mins|millis|ms|hours|elapsed|timeout|ttl|latency|duration_ms|duration_seconds)_$/, 'duration'],
  [/_(version|revision|rev|schema_version)_$/, 'version'],
  [/_(file_?name|file|path|file_path|filepath|storage_key|object_key|s3_key|key_path)_$/, 'fileName'],
  [/_(mime|mime_type|mimetype|content_type|media_type|file_type)_$/, 'mimeType'],
  [/_(domain|hostname|host|subdomain)_$/, 'domain'],
  [/_(status|state|type|kind|role|category|level|tier|plan|priority|source|channel|provider|stage|visibility|gender|method|mode|frequency|platform|environment|env|severity|variant|reason_code|outcome|result)_$/, 'category'],
  [/_(code|sku|reference|ref|invoice_number|order_number|number|serial|serial_number|barcode|isbn|voucher|coupon|promo_code)_$/, 'code'],
  [/_(title|subject|headline|heading|caption|label|summary_title)_$/, 'title'],
  [/_(description|bio|body|content|text|summary|about|notes|note|message|comment|details|excerpt|reason|instructions|html|markdown|biography|remarks|feedback|review|answer|question|abstract|introduction|intro)_$/, 'longText'],
  [/_(settings|metadata|meta|data|config|configuration|properties|props|preferences|prefs|attributes|attrs|options|payload|extra|context|params|parameters|features|traits|custom_fields|info|json|raw)_$/, 'json'],
  [/_(tags|labels|keywords|categories|topics|aliases)_$/, 'tags'],
  [/_id_$/, 'externalId'],
  [/_name_$/, 'name'],
];

export function semanticOf(column: string): Semantic | undefined {
  const key = `_${words(column).join('_')}_`;
  for (const [re, sem] of RULES) if (re.test(key)) return sem;
  return undefined;
}

export type TableNoun = 'person' | 'organization' | 'thing';

/** What a table's rows are, for a bare `name` column. */
export function tableNoun(table: string): TableNoun {
  const w = words(table);
  const last = w.at(-1) ?? '';
  if (/^(users?|people|persons?|customers?|members?|employees?|authors?|contacts?|students?|patients?|profiles?|accounts?|admins?|owners?|players?|clients?|staff|guests?|subscribers?|candidates?|applicants?|doctors?|teachers?|drivers?|agents?)$/.test(last)) return 'person';
  if (/^(organi[sz]ations?|orgs?|companies|company|teams?|tenants?|workspaces?|businesses|business|vendors?|suppliers?|merchants?|partners?|brands?|agencies|agency|firms?|institutions?|schools?|shops?|stores?)$/.test(last)) return 'organization';
  return 'thing';
}

/** The column a time column naturally follows by name: ends_at → starts_at, endTime → startTime, finished_on → started_on. */
export function startColumnFor(column: string, columns: readonly string[]): string | undefined {
  const w = words(column);
  const pairs: Record<string, string[]> = { end: ['start', 'begin'], ends: ['starts', 'begins'], ended: ['started', 'began'], finish: ['start'], finished: ['started'], until: ['from', 'since'], to: ['from'], close: ['open'], closed: ['opened'], checkout: ['checkin'] };
  for (let i = 0; i < w.length; i++) {
    for (const alt of pairs[w[i]!] ?? []) {
      const want = [...w.slice(0, i), alt, ...w.slice(i + 1)].join('_');
      const hit = columns.find((c) => c !== column && words(c).join('_') === want);
      if (hit) return hit;
    }
  }
  return undefined;
}
