-- A PostgreSQL role per service, each owning its own schema and reaching no other:
--   <prefix>_commitments owns schema commitments (and submissions), <prefix>_notifications owns notifications,
--   <prefix>_gateway owns gateway. None is a superuser or may create roles or databases.
-- Run by a superuser, connected to the database, with psql variables set beforehand (\set, never
-- on a command line, as they hold passwords): db, prefix, and pw_commitments, pw_notifications,
-- pw_gateway. Idempotent: a second run changes only the passwords. Used by deploy/local/lib.sh
-- (pg_service_roles: up.sh, tests, benches), the compose and Kubernetes PostgreSQL's init script
-- (deploy/k8s/postgres-service-roles.sh) and the end-to-end tests. Every name and value goes
-- through format(%I / %L): nothing is spliced into SQL as text.
\set ON_ERROR_STOP on
\set QUIET on
set client_min_messages = warning;

create temporary table r2p_services (service text primary key, role text not null, password text not null);
insert into r2p_services values
  ('commitments',   :'prefix' || '_commitments',   :'pw_commitments'),
  ('notifications', :'prefix' || '_notifications', :'pw_notifications'),
  ('gateway',       :'prefix' || '_gateway',       :'pw_gateway');

select format('create role %I login nosuperuser nocreatedb nocreaterole noinherit noreplication nobypassrls', role)
  from r2p_services where not exists (select from pg_roles where rolname = role) \gexec
select format('alter role %I login nosuperuser nocreatedb nocreaterole noinherit noreplication nobypassrls password %L', role, password)
  from r2p_services \gexec

-- The database: only the service roles (and superusers) may connect; nobody else gets its defaults.
select format('revoke all on database %I from public', :'db') \gexec
select format('grant connect, temporary on database %I to %I', :'db', role) from r2p_services \gexec
-- (The maintenance database too: a service has no business there.)
revoke connect, temporary on database postgres from public;

-- Full-text search needs pg_trgm, which only a superuser may create (commitments finds it made).
create extension if not exists pg_trgm with schema public;
revoke create on schema public from public;

-- Each schema belongs to its service's role, with no grant to anyone else.
select format('create schema if not exists %I authorization %I', service, role) from r2p_services \gexec
select format('alter schema %I owner to %I', service, role) from r2p_services \gexec
select format('revoke all on schema %I from public', service) from r2p_services \gexec
-- Commitments also owns the public submissions' store: a schema apart from the public record (see its Submissions/).
select format('create schema if not exists submissions authorization %I', role) from r2p_services where service = 'commitments' \gexec
select format('alter schema submissions owner to %I', role) from r2p_services where service = 'commitments' \gexec
revoke all on schema submissions from public;

-- What an earlier setup made as one superuser moves to the schema's role: tables (with their
-- indexes and the sequences their columns own), views, other sequences, routines and types.
select format('alter %s %I.%I owner to %I',
              case c.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'S' then 'sequence'
                             when 'f' then 'foreign table' else 'table' end,
              n.nspname, c.relname, s.role)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace join r2p_services s on s.service = n.nspname
 where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
   and c.relowner <> (select oid from pg_roles where rolname = s.role)
   and not (c.relkind = 'S' and exists (select from pg_depend d where d.objid = c.oid and d.deptype in ('a', 'i')))
 order by c.relkind = 'S' \gexec
select format('alter routine %s owner to %I', p.oid::regprocedure, s.role)
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace join r2p_services s on s.service = n.nspname
 where p.proowner <> (select oid from pg_roles where rolname = s.role) \gexec
select format('alter type %I.%I owner to %I', n.nspname, t.typname, s.role)
  from pg_type t join pg_namespace n on n.oid = t.typnamespace join r2p_services s on s.service = n.nspname
 where t.typtype in ('c', 'd', 'e', 'r', 'm') and (t.typrelid = 0 or (select relkind from pg_class where oid = t.typrelid) = 'c')
   and t.typowner <> (select oid from pg_roles where rolname = s.role) \gexec

drop table r2p_services;
