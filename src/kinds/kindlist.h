/*-------------------------------------------------------------------------
 *
 * kindlist.h
 *	  The object kinds pg_converge converges, one line each.
 *
 * Included several times with CONV_KIND defined differently (the way the
 * server keeps rmgrlist.h): once for the ConvKind enum, once for the
 * registry of per-kind operations.  The order is the order in which the
 * diff engine visits the kinds: types before the tables that use them,
 * tables before the foreign keys that name other tables.
 *
 *-------------------------------------------------------------------------
 */

/* symbol, operations (kinds/<file>.c) */
CONV_KIND(KIND_SCHEMA, schema_kind)
CONV_KIND(KIND_EXTENSION, extension_kind)
CONV_KIND(KIND_ENUM, enum_kind)
CONV_KIND(KIND_DOMAIN, domain_kind)
CONV_KIND(KIND_DOMAIN_CHECK, domain_check_kind)	/* in domain.c */
CONV_KIND(KIND_COMPOSITE, composite_kind)
CONV_KIND(KIND_SEQUENCE, sequence_kind)
CONV_KIND(KIND_FUNCTION, function_kind)
CONV_KIND(KIND_AGGREGATE, aggregate_kind)
CONV_KIND(KIND_OPERATOR, operator_kind)
CONV_KIND(KIND_TABLE, table_kind)
CONV_KIND(KIND_COLUMN, column_kind)
CONV_KIND(KIND_PARTITION, partition_kind)
CONV_KIND(KIND_CHECK, check_kind)
CONV_KIND(KIND_KEY, key_kind)
CONV_KIND(KIND_INDEX, index_kind)
CONV_KIND(KIND_FOREIGN_KEY, foreign_key_kind)
CONV_KIND(KIND_POLICY, policy_kind)
CONV_KIND(KIND_ROW_SECURITY, row_security_kind)	/* in policy.c */
CONV_KIND(KIND_TRIGGER, trigger_kind)
CONV_KIND(KIND_VIEW, view_kind)
CONV_KIND(KIND_GRANT, grant_kind)
CONV_KIND(KIND_DEFAULT_PRIVILEGES, default_privileges_kind)
CONV_KIND(KIND_GLOBAL_DEFAULT_PRIVILEGES, global_default_privileges_kind)	/* in default_privileges.c */
