import { ALPHABETS } from '../random.js';
import { defineDetectors, type RandomSource } from '../types.js';
import { assigned, UUID, hex, alnum, uuid, uuidSecretOk } from '../context.js';

/** A password with the punctuation real generated passwords have, but none that ends a URL's userinfo. */
const password = (r: RandomSource): string => `${alnum(r, 10)}${'!*~_.-'[r.int(6)]}${alnum(r, 9)}`;

/**
 * `user:password@` in a URL. The user part stops at the first `:`; the password runs to the last
 * `@` before the host (so an unencoded `@` stays in it) and may not cross `/`, `?`, quotes or spaces.
 */
const USERINFO = String.raw`(?<handle>[^:/?#@\s'"\x60<>]{1,128}):(?<secret>[^/?#\s'"\x60<>]{3,256})@[^\s'"\x60<>@/]{1,255}`;

/** Passwords that documentation and templates use instead of a real one. */
const PLACEHOLDER_PASSWORD =
  /^(?:pass(?:word|wd|wrd)?[0-9]{0,3}|pwd|pw|p@ss(?:w[o0]rd)?|secret|changeme|change_me|admin|root|test|example|sample|dummy|db_?pass(?:word)?|my_?pass(?:word)?|your_?pass(?:word)?|user_?pass(?:word)?|mysecretpassword|s3cr3t|\*+|x+|\.+|-+|_+|%s|%\(\w+\)s|:\w+|\?|null|none|nil)$/i;

/** Rejects placeholder passwords and references to a password held elsewhere. */
function passwordOk(secret: string): boolean {
  let value = secret;
  try {
    value = decodeURIComponent(secret);
  } catch {
    // not percent-encoded: keep as is
  }
  if (PLACEHOLDER_PASSWORD.test(value)) return false;
  if (/^(?:\$\{|\$\(|\$[A-Za-z_]|#\{|\{\{|\{[A-Za-z_]|%\{|<[A-Za-z_]|\[[A-Za-z_]|@[A-Za-z_]+@$)/.test(value)) return false;
  return true;
}

/** Schemes (SQLAlchemy dialects and native URLs) of databases without a detector of their own below. */
const OTHER_DB_SCHEMES = [
  'mssql',
  'sqlserver',
  'oracle',
  'snowflake',
  'cockroachdb',
  'clickhouse',
  'clickhouses',
  'couchbase',
  'couchbases',
  'couchdb',
  'neo4j',
  'neo4j+s',
  'bolt',
  'bolt+s',
  'cassandra',
  'db2',
  'redshift',
  'vertica',
  'teradata',
  'trino',
  'presto',
  'hive',
  'impala',
  'sybase',
  'firebird',
  'influxdb',
  'singlestoredb',
  'memsql',
  'tidb',
  'hana',
];

export default defineDetectors([
  {
    id: 'mongodb-connection-string',
    title: 'MongoDB connection string with password',
    category: 'database',
    keywords: ['mongodb'],
    pattern: String.raw`\bmongodb(?:\+srv)?://${USERINFO}`,
    severity: 'high',
    validate: passwordOk,
    generate: (r) => `mongodb+srv://app:${password(r)}@cluster0.${r.chars(ALPHABETS.lower, 5)}.mongodb.net/prod?retryWrites=true&w=majority`,
    examples: {
      positive: [
        'MONGODB_URI={{gen}}',
        "mongoose.connect('mongodb://admin:{{alnum:16}}@10.0.0.5:27017,10.0.0.6:27017/app?authSource=admin&replicaSet=rs0');",
        'spring.data.mongodb.uri=mongodb://svc_orders:Q{{alnum:12}}%40x@mongo.internal:27017/orders',
      ],
      negative: [
        'MONGODB_URI=mongodb://user:pass@localhost:27017/test',
        'MONGODB_URI=mongodb+srv://${MONGO_USER}:${MONGO_PASSWORD}@cluster0.mongodb.net/db',
        'MONGODB_URI=mongodb://<username>:<password>@cluster0.example.mongodb.net',
        'MONGODB_URI=mongodb://localhost:27017/app',
        "MONGODB_URI=mongodb://admin:****@mongo:27017",
      ],
    },
    references: ['https://www.mongodb.com/docs/manual/reference/connection-string/'],
  },
  {
    id: 'postgres-connection-string',
    title: 'PostgreSQL connection URL with password',
    category: 'database',
    keywords: ['postgres', 'postgis', 'pgsql'],
    pattern: String.raw`\b(?:postgres(?:ql)?|postgis|pgsql)(?:\+[a-z0-9]{1,20})?://${USERINFO}`,
    severity: 'high',
    validate: passwordOk,
    generate: (r) => `postgres://app:${password(r)}@db.internal:5432/app?sslmode=require`,
    examples: {
      positive: [
        'DATABASE_URL={{gen}}',
        'SQLALCHEMY_DATABASE_URI = "postgresql+psycopg2://etl:{{alnum:20}}@pg-primary.internal/warehouse"',
        'psql "postgresql://neondb_owner:npg_{{alnum:12}}@ep-cool-darkness-123456.us-east-2.aws.neon.tech/neondb?sslmode=require"',
      ],
      negative: [
        'DATABASE_URL=postgres://user:password@localhost:5432/mydb',
        'DATABASE_URL=postgres://postgres:postgres@localhost:5432/postgres',
        'DATABASE_URL=postgresql://%s:%s@%s/%s',
        'DATABASE_URL=postgres://${PGUSER}:${PGPASSWORD}@${PGHOST}/app',
        'DATABASE_URL=postgres://app@localhost/app',
      ],
    },
    references: ['https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS'],
  },
  {
    id: 'postgres-keyword-dsn',
    title: 'PostgreSQL keyword/value connection string with password',
    category: 'database',
    keywords: ['password'],
    pattern: String.raw`\b(?:host|hostaddr|dbname|user|port|sslmode)=[^\s'"\x60;]{1,256}(?:[ \t]{1,4}[a-z_]{2,40}=[^\s'"\x60;]{0,256}){0,10}?[ \t]{1,4}password=(?<secret>[^\s'"\x60;]{3,128})`,
    severity: 'high',
    validate: passwordOk,
    generate: (r) => `host=db.internal port=5432 dbname=app user=app password=${password(r)}`,
    examples: {
      positive: [
        'conn = psycopg2.connect("{{gen}} sslmode=require")',
        "PG_DSN='host=10.1.2.3 user=reporting password={{alnum:18}} dbname=analytics'",
        'db, err := sql.Open("postgres", "user=api dbname=orders sslmode=verify-full password=X{{alnum:15}}")',
      ],
      negative: [
        'conn = psycopg2.connect("host=localhost dbname=test user=postgres password=postgres")',
        'conn = psycopg2.connect("host=localhost dbname=test user=app password=${PGPASSWORD}")',
        'conn = psycopg2.connect(f"host={host} dbname={db} user={user} password={password}")',
      ],
    },
    references: ['https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-KEYWORD-VALUE'],
  },
  {
    id: 'mysql-connection-string',
    title: 'MySQL / MariaDB connection URL with password',
    category: 'database',
    keywords: ['mysql', 'mariadb'],
    pattern: String.raw`\b(?:mysqlx?|mariadb)(?:\+[a-z0-9]{1,20})?://${USERINFO}`,
    severity: 'high',
    validate: passwordOk,
    generate: (r) => `mysql://app:${password(r)}@mysql.internal:3306/shop`,
    examples: {
      positive: [
        'DATABASE_URL={{gen}}',
        'engine = create_engine("mysql+pymysql://report:{{alnum:16}}@10.0.3.7/metrics?charset=utf8mb4")',
        'spring.datasource.url=jdbc:mysql://billing:B{{alnum:14}}_@mysql-prod:3306/billing',
      ],
      negative: [
        'DATABASE_URL=mysql://root:root@localhost:3306/app',
        'DATABASE_URL=mysql://user:pass@127.0.0.1/test',
        'DATABASE_URL=mysql://app:<password>@db/app',
        'DATABASE_URL=mysql://app@db/app',
      ],
    },
    references: ['https://dev.mysql.com/doc/refman/8.0/en/connecting-using-uri-or-key-value-pairs.html'],
  },
  {
    id: 'redis-connection-string',
    title: 'Redis / Valkey connection URL with password',
    category: 'database',
    keywords: ['redis', 'valkey'],
    pattern: String.raw`\b(?:rediss?|valkeys?)(?:\+[a-z0-9]{1,20})?://(?<handle>[^:/?#@\s'"\x60<>]{0,128}):(?<secret>[^/?#\s'"\x60<>]{3,256})@[^\s'"\x60<>@/]{1,255}`,
    severity: 'high',
    validate: passwordOk,
    generate: (r) => `rediss://default:${password(r)}@cache.internal:6380/0`,
    examples: {
      positive: [
        'REDIS_URL={{gen}}',
        "const client = createClient({ url: 'redis://:{{alnum:24}}@redis-master:6379' });",
        'CELERY_BROKER_URL = "redis://worker:W{{alnum:19}}@10.0.0.12:6379/1"',
      ],
      negative: [
        'REDIS_URL=redis://localhost:6379/0',
        'REDIS_URL=redis://:password@localhost:6379',
        'REDIS_URL=redis://:${REDIS_PASSWORD}@redis:6379',
        'REDIS_URL=redis://default:****@redis:6379',
      ],
    },
    references: ['https://www.iana.org/assignments/uri-schemes/prov/redis'],
  },
  {
    id: 'database-url-credentials',
    title: 'Database connection URL with password (SQL Server, Oracle, Snowflake, ClickHouse, Neo4j, …)',
    category: 'database',
    // `influx` rather than `influxdb`: a keyword that contains another one hides it from the prefilter.
    keywords: [...OTHER_DB_SCHEMES.filter((s) => !s.includes('+') && s !== 'influxdb'), 'influx'],
    pattern: String.raw`\b(?:${OTHER_DB_SCHEMES.map((s) => s.replace('+', '\\+')).join('|')})(?:\+[a-z0-9]{1,20})?://${USERINFO}`,
    severity: 'high',
    validate: passwordOk,
    generate: (r) => `snowflake://etl_user:${password(r)}@xy12345.eu-central-1/analytics/public?warehouse=COMPUTE_WH`,
    examples: {
      positive: [
        'SNOWFLAKE_URL={{gen}}',
        'engine = create_engine("mssql+pyodbc://sa:{{alnum:18}}@sqlserver.internal:1433/orders?driver=ODBC+Driver+18+for+SQL+Server")',
        'NEO4J_URI=neo4j+s://neo4j:{{alnum:22}}@abcd1234.databases.neo4j.io',
        "clickhouse_url: 'clickhouse://default:C{{alnum:15}}@ch.internal:8123/logs'",
      ],
      negative: [
        'ORACLE_URL=oracle://scott:tiger@localhost:1521/orcl',
        'NEO4J_URI=neo4j://neo4j:password@localhost:7687',
        'SNOWFLAKE_URL=snowflake://{user}:{password}@{account}/{database}',
        'CLICKHOUSE_URL=clickhouse://localhost:8123/default',
      ],
    },
    references: ['https://docs.sqlalchemy.org/en/20/core/engines.html#database-urls'],
  },
  {
    id: 'jdbc-connection-string',
    title: 'JDBC URL with password parameter',
    category: 'database',
    keywords: ['jdbc:'],
    pattern: String.raw`\bjdbc:[a-z0-9]{2,20}(?::[a-z0-9]{2,20})?:[^\s'"\x60<>]{0,512}?[?&;:]\s{0,2}password\s{0,2}=\s{0,2}(?<secret>[^&;\s'"\x60<>,)]{3,128})`,
    ignoreCase: true,
    severity: 'high',
    validate: passwordOk,
    generate: (r) => `jdbc:postgresql://db.internal:5432/app?user=app&password=${password(r)}&ssl=true`,
    examples: {
      positive: [
        'spring.datasource.url={{gen}}',
        '<property name="url" value="jdbc:sqlserver://sql01.internal:1433;databaseName=Orders;user=svc_orders;password={{alnum:18}};encrypt=true"/>',
        'String url = "jdbc:mysql://mysql.internal:3306/shop?user=shop&password=S{{alnum:15}}&useSSL=true";',
      ],
      negative: [
        'spring.datasource.url=jdbc:postgresql://localhost:5432/app?user=app&password=password',
        'spring.datasource.url=jdbc:sqlserver://localhost:1433;databaseName=db;user=sa;password=${DB_PASSWORD}',
        'spring.datasource.url=jdbc:postgresql://localhost:5432/app',
      ],
    },
    references: ['https://jdbc.postgresql.org/documentation/use/#connection-parameters', 'https://learn.microsoft.com/en-us/sql/connect/jdbc/building-the-connection-url'],
  },
  {
    id: 'jdbc-oracle-credentials',
    title: 'Oracle JDBC URL with user/password',
    category: 'database',
    keywords: ['jdbc:'],
    pattern: String.raw`\bjdbc:oracle:(?:thin|oci8?):(?<handle>[\w$#.]{1,128})/(?<secret>[^@\s'"\x60<>/]{3,128})@`,
    severity: 'high',
    validate: passwordOk,
    generate: (r) => `jdbc:oracle:thin:hr_app/${password(r)}@//ora-prod.internal:1521/ORCLPDB1`,
    examples: {
      positive: ['db.url={{gen}}', 'conn = DriverManager.getConnection("jdbc:oracle:thin:scott/T{{alnum:15}}@db-host:1521:ORCL");', "url: 'jdbc:oracle:oci:batch/{{alnum:20}}@PRODDB'"],
      negative: [
        'db.url=jdbc:oracle:thin:@//ora-prod.internal:1521/ORCLPDB1',
        'db.url=jdbc:oracle:thin:scott/tiger@localhost:1521:orcl',
        'db.url=jdbc:oracle:thin:${user}/${password}@db:1521:ORCL',
      ],
    },
    references: ['https://docs.oracle.com/en/database/oracle/oracle-database/21/jajdb/oracle/jdbc/OracleDriver.html'],
  },
  {
    id: 'ado-net-connection-string',
    title: 'SQL Server / ADO.NET / ODBC connection string with password',
    category: 'database',
    keywords: ['password', 'pwd'],
    pattern: String.raw`\b(?:server|data source|address|addr|network address|host)\s{0,3}=\s{0,3}[^;'"\x60\n]{1,256};[^'"\x60\n]{0,512}?\b(?:password|pwd)\s{0,3}=\s{0,3}(?<secret>[^;'"\x60\s][^;'"\x60\n]{1,126}[^;'"\x60\s])`,
    ignoreCase: true,
    severity: 'high',
    validate: passwordOk,
    generate: (r) => `Server=sql01.internal,1433;Database=Orders;User Id=svc_orders;Password=${password(r)};Encrypt=True;`,
    examples: {
      positive: [
        '"ConnectionStrings": { "Default": "{{gen}}" }',
        '<add name="Main" connectionString="Data Source=DBPROD01;Initial Catalog=Sales;User ID=sales_app;Password={{alnum:18}}" providerName="System.Data.SqlClient" />',
        'conn_str = "Driver={ODBC Driver 18 for SQL Server};Server=tcp:10.0.0.8,1433;UID=etl;PWD=E{{alnum:16}};TrustServerCertificate=yes"',
        'var cs = "Host=pg.internal;Username=api;Password={{alnum:20}};Database=api";',
      ],
      negative: [
        '"Default": "Server=localhost;Database=Test;User Id=sa;Password=password;"',
        '"Default": "Server=(localdb)\\\\mssqllocaldb;Database=App;Trusted_Connection=True;"',
        '"Default": "Server=db;Database=App;User Id=app;Password=${DB_PASSWORD};"',
        '"Default": "Server=db;Database=App;User Id=app;Password=<password>;"',
      ],
    },
    references: ['https://learn.microsoft.com/en-us/dotnet/api/system.data.sqlclient.sqlconnection.connectionstring'],
  },
  {
    id: 'planetscale-api-token',
    title: 'PlanetScale service token',
    category: 'database',
    keywords: ['pscale_tkn_'],
    pattern: String.raw`\b(?<secret>pscale_tkn_[A-Za-z0-9_=.-]{32,64})(?:[^\w=.-]|$)`,
    prefixLength: 11,
    entropy: 4,
    severity: 'high',
    generate: (r) => `pscale_tkn_${r.chars(ALPHABETS.b64url, 43)}`,
    examples: {
      positive: ['PLANETSCALE_SERVICE_TOKEN={{gen}}', 'pscale auth login --service-token {{gen}}', "token: 'pscale_tkn_{{alnum:43}}'"],
      negative: ['PLANETSCALE_SERVICE_TOKEN=pscale_tkn_{{alnum:10}}', 'PLANETSCALE_SERVICE_TOKEN=pscale_tkn_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'PLANETSCALE_SERVICE_TOKEN=pscale_tkn_...'],
    },
    references: ['https://planetscale.com/docs/concepts/service-tokens'],
  },
  {
    id: 'planetscale-password',
    title: 'PlanetScale database password',
    category: 'database',
    keywords: ['pscale_pw_'],
    pattern: String.raw`\b(?<secret>pscale_pw_[A-Za-z0-9_=.-]{32,64})(?:[^\w=.-]|$)`,
    prefixLength: 10,
    entropy: 4,
    severity: 'high',
    generate: (r) => `pscale_pw_${r.chars(ALPHABETS.b64url, 43)}`,
    examples: {
      positive: ['DATABASE_PASSWORD={{gen}}', 'DATABASE_URL=mysql://abc123xyz:{{gen}}@aws.connect.psdb.cloud/app?sslaccept=strict', "password: 'pscale_pw_{{alnum:43}}'"],
      negative: ['DATABASE_PASSWORD=pscale_pw_{{alnum:10}}', 'DATABASE_PASSWORD=pscale_pw_<password>', 'DATABASE_PASSWORD=pscale_pw_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
    references: ['https://planetscale.com/docs/concepts/connection-strings'],
  },
  {
    id: 'planetscale-oauth-token',
    title: 'PlanetScale OAuth token',
    category: 'database',
    keywords: ['pscale_oauth_'],
    pattern: String.raw`\b(?<secret>pscale_oauth_[A-Za-z0-9_=.-]{32,64})(?:[^\w=.-]|$)`,
    prefixLength: 13,
    entropy: 4,
    severity: 'high',
    generate: (r) => `pscale_oauth_${r.chars(ALPHABETS.b64url, 43)}`,
    examples: {
      positive: ['PLANETSCALE_OAUTH_TOKEN={{gen}}', '-H "Authorization: Bearer {{gen}}"', "oauth_token = 'pscale_oauth_{{alnum:43}}'"],
      negative: ['PLANETSCALE_OAUTH_TOKEN=pscale_oauth_{{alnum:12}}', 'PLANETSCALE_OAUTH_TOKEN=pscale_oauth_...', 'PLANETSCALE_OAUTH_TOKEN=${PS_TOKEN}'],
    },
    references: ['https://planetscale.com/docs/api/reference/getting-started-with-planetscale-api'],
  },
  {
    id: 'databricks-token',
    title: 'Databricks personal access token',
    category: 'database',
    keywords: ['dapi'],
    pattern: String.raw`\b(?<secret>dapi[a-f0-9]{32}(?:-[0-9])?)\b`,
    prefixLength: 4,
    entropy: 3,
    severity: 'high',
    generate: (r) => `dapi${hex(r, 32)}`,
    examples: {
      positive: ['DATABRICKS_TOKEN={{gen}}', 'connection = sql.connect(server_hostname=host, http_path=path, access_token="{{gen}}")', "token = 'dapi{{hex:32}}-2'"],
      negative: ['DATABRICKS_TOKEN=dapi{{hex:16}}', 'DATABRICKS_TOKEN=dapi00000000000000000000000000000000', 'DATABRICKS_TOKEN=dapiXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'],
    },
    references: ['https://docs.databricks.com/en/dev-tools/auth/pat.html'],
  },
  {
    id: 'aiven-service-password',
    title: 'Aiven service password',
    category: 'database',
    keywords: ['AVNS_'],
    pattern: String.raw`\b(?<secret>AVNS_[A-Za-z0-9_-]{16,40})(?:[^\w-]|$)`,
    prefixLength: 5,
    entropy: 3.5,
    severity: 'high',
    generate: (r) => `AVNS_${r.chars(ALPHABETS.b64url, 23)}`,
    examples: {
      positive: ['DATABASE_URL=postgres://avnadmin:{{gen}}@pg-1a2b3c.aivencloud.com:12345/defaultdb?sslmode=require', 'KAFKA_PASSWORD={{gen}}', "password: 'AVNS_{{alnum:23}}'"],
      negative: ['KAFKA_PASSWORD=AVNS_{{alnum:6}}', 'KAFKA_PASSWORD=AVNS_xxxxxxxxxxxxxxxxxxxxxxx', 'KAFKA_PASSWORD=AVNS_<password>'],
    },
    references: ['https://aiven.io/docs/platform/howto/connect-to-service'],
  },
  {
    id: 'aiven-api-token',
    title: 'Aiven API token',
    category: 'database',
    keywords: ['aiven'],
    pattern: assigned(['aiven'], '[A-Za-z0-9/+=]{372}'),
    entropy: 4.5,
    severity: 'high',
    generate: (r) => r.chars(ALPHABETS.b64, 372),
    examples: {
      positive: ['AIVEN_TOKEN={{gen}}', 'provider "aiven" { api_token = "{{gen}}" }', "aiven_api_token: '{{b64:372}}'"],
      negative: ['AIVEN_TOKEN=${AIVEN_TOKEN}', 'AIVEN_TOKEN={{b64:100}}', 'AIVEN_PROJECT=my-project'],
    },
    references: ['https://aiven.io/docs/platform/concepts/authentication-tokens'],
  },
  {
    id: 'mongodb-atlas-api-key',
    title: 'MongoDB Atlas programmatic API private key',
    category: 'database',
    keywords: ['atlas_private_key', 'atlas-private-key', 'atlasprivatekey', 'atlas_api_private_key'],
    pattern: assigned(['atlas_private_key', 'atlas-private-key', 'atlasprivatekey', 'atlas_api_private_key'], UUID),
    severity: 'high',
    filterPlaceholders: false,
    validate: uuidSecretOk,
    generate: uuid,
    examples: {
      positive: ['MONGODB_ATLAS_PRIVATE_KEY={{gen}}', 'atlasPrivateKey: "{{gen}}"', "export MCLI_ATLAS_PRIVATE_KEY='{{gen}}'"],
      negative: ['MONGODB_ATLAS_PUBLIC_KEY={{alpha:8}}', 'MONGODB_ATLAS_PRIVATE_KEY=00000000-0000-0000-0000-000000000000', 'MONGODB_ATLAS_PRIVATE_KEY=${ATLAS_PRIVATE_KEY}'],
    },
    references: ['https://www.mongodb.com/docs/atlas/configure-api-access/'],
  },
  {
    id: 'datastax-astra-token',
    title: 'DataStax Astra DB application token',
    category: 'database',
    keywords: ['AstraCS:'],
    pattern: String.raw`\b(?<secret>AstraCS:[A-Za-z]{24}:[0-9a-f]{64})\b`,
    prefixLength: 8,
    entropy: 3.5,
    severity: 'high',
    generate: (r) => `AstraCS:${r.chars(ALPHABETS.alpha, 24)}:${hex(r, 64)}`,
    examples: {
      positive: ['ASTRA_DB_APPLICATION_TOKEN={{gen}}', 'client = DataAPIClient("{{gen}}")', "-H 'X-Cassandra-Token: AstraCS:{{alpha:24}}:{{hex:64}}'"],
      negative: ['ASTRA_DB_APPLICATION_TOKEN=AstraCS:...', 'ASTRA_DB_APPLICATION_TOKEN=AstraCS:{{alpha:24}}:{{hex:20}}', 'ASTRA_DB_APPLICATION_TOKEN=${ASTRA_DB_APPLICATION_TOKEN}'],
    },
    references: ['https://docs.datastax.com/en/astra-db-serverless/administration/manage-application-tokens.html'],
  },
  {
    id: 'clickhouse-cloud-api-secret',
    title: 'ClickHouse Cloud API key secret',
    category: 'database',
    keywords: ['4b1d'],
    pattern: String.raw`\b(?<secret>4b1d[A-Za-z0-9]{38})\b`,
    prefixLength: 4,
    entropy: 3.5,
    severity: 'high',
    generate: (r) => `4b1d${alnum(r, 38)}`,
    examples: {
      positive: ['CLICKHOUSE_KEY_SECRET={{gen}}', 'curl --user "$KEY_ID:{{gen}}" https://api.clickhouse.cloud/v1/organizations', "key_secret: '4b1d{{alnum:38}}'"],
      negative: ['CLICKHOUSE_KEY_SECRET=4b1dXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX', 'checksum = "aa4b1d{{alnum:38}}"', 'CLICKHOUSE_KEY_SECRET=4b1d{{alnum:20}}'],
    },
    references: ['https://clickhouse.com/docs/cloud/manage/openapi'],
  },
  {
    id: 'influxdb-token',
    title: 'InfluxDB API token',
    category: 'database',
    keywords: ['influx'],
    pattern: assigned(['influx'], '[A-Za-z0-9_-]{86}=='),
    entropy: 4.5,
    severity: 'high',
    generate: (r) => `${r.chars(ALPHABETS.b64url, 86)}==`,
    examples: {
      positive: ['INFLUXDB_TOKEN={{gen}}', 'client = InfluxDBClient(url="http://influx:8086", token="{{gen}}", org="acme")', 'influx config create -t {{b64url:86}}== -o acme'],
      negative: ['INFLUXDB_TOKEN=${INFLUXDB_TOKEN}', 'INFLUXDB_TOKEN=my-super-secret-auth-token', 'INFLUXDB_TOKEN={{b64url:40}}=='],
    },
    references: ['https://docs.influxdata.com/influxdb/v2/admin/tokens/'],
  },
  {
    id: 'upstash-redis-token',
    title: 'Upstash Redis REST token',
    category: 'database',
    keywords: ['upstash'],
    pattern: assigned(['upstash'], '[A-Za-z0-9_-]{40,120}={0,2}'),
    entropy: 4.2,
    severity: 'high',
    generate: (r) => `AX${r.chars(ALPHABETS.b64url, 70)}`,
    examples: {
      positive: ['UPSTASH_REDIS_REST_TOKEN={{gen}}', "const redis = new Redis({ url: process.env.UPSTASH_URL, token: '{{gen}}' }) // upstash", 'upstash_token: "A{{b64url:60}}="'],
      negative: ['UPSTASH_REDIS_REST_TOKEN=${UPSTASH_REDIS_REST_TOKEN}', 'UPSTASH_REDIS_REST_URL=https://eu1-example-12345.upstash.io', 'UPSTASH_REDIS_REST_TOKEN={{alnum:20}}'],
    },
    references: ['https://upstash.com/docs/redis/features/restapi'],
  },
  {
    id: 'firebase-database-secret',
    title: 'Firebase Realtime Database legacy secret',
    category: 'database',
    keywords: ['firebase'],
    pattern: assigned(['firebase'], '[A-Za-z0-9]{40}'),
    entropy: 4,
    severity: 'high',
    generate: (r) => alnum(r, 40),
    examples: {
      positive: ['FIREBASE_DATABASE_SECRET={{gen}}', "firebase = firebase.FirebaseApplication(url, authentication=FirebaseAuthentication('{{gen}}', email))", "firebase_secret: '{{alnum:40}}'"],
      negative: ['FIREBASE_API_KEY=AIza{{b64url:35}}', 'FIREBASE_DATABASE_SECRET=${FIREBASE_SECRET}', 'FIREBASE_PROJECT_ID=my-project-12345'],
    },
    references: ['https://firebase.google.com/docs/database/rest/auth#legacy_tokens'],
  },
]);
