package clickhouse

import (
	"strconv"
	"strings"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/scripts"
)

// Schema is the DDL ConfigMap's data: database.sql, then a
// table-<name>.sql per catalog table (scripts.ClickHouseSchema applies
// them in that order). Every statement is CREATE … IF NOT EXISTS.
func Schema(ch *catalog.ClickHouse) map[string]string {
	out := map[string]string{scripts.ClickHouseDatabaseFile: DatabaseDDL(ch)}
	for i := range ch.Tables {
		t := &ch.Tables[i]
		out[scripts.ClickHouseTablePrefix+t.Name+scripts.ClickHouseTableSuffix] = TableDDL(ch, t)
	}
	return out
}

// DatabaseDDL creates the analytics database (on every replica).
func DatabaseDDL(ch *catalog.ClickHouse) string {
	return "CREATE DATABASE IF NOT EXISTS " + ident(ch.Database) + onCluster(ch) + ";\n"
}

// onCluster runs a statement on every host of a replicated installation
// (distributed DDL, through ZooKeeper); nothing for a single host.
func onCluster(ch *catalog.ClickHouse) string {
	if !ch.Replicated() {
		return ""
	}
	return " ON CLUSTER " + ident(ch.Cluster)
}

// ReplicaPath is where a replicated table keeps its state in ZooKeeper:
// per shard, database and table (the operator defines the {shard} and
// {replica} macros; ClickHouse {database} and {table}).
const ReplicaPath = "/clickhouse/tables/{shard}/{database}/{table}"

// TableDDL is the CREATE TABLE statement of t in db, written from the
// catalog's structure: identifiers the loader restricted to [a-z0-9_]
// (quoted all the same), column types it parsed and writes back in
// canonical form, and nothing else from the catalog. Rows are partitioned
// by month of PartitionBy; a TTL on a DateTime64 (or Date32) column is
// wrapped in toDateTime (toDate), since a TTL must be a Date or DateTime.
//
// With replicas every table is the Replicated variant of its engine and
// every statement runs ON CLUSTER.
func TableDDL(ch *catalog.ClickHouse, t *catalog.ClickHouseTable) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE IF NOT EXISTS " + ident(ch.Database) + "." + ident(t.Name) + onCluster(ch) + "\n(\n")
	kinds := map[string]*catalog.ColumnType{}
	for i, c := range t.Columns {
		kinds[c.Name] = c.Kind
		b.WriteString("    " + ident(c.Name) + " " + c.Kind.String())
		if i < len(t.Columns)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	clauses := []string{")", "ENGINE = " + engine(ch, t)}
	if t.PartitionBy != "" {
		clauses = append(clauses, "PARTITION BY toYYYYMM("+ident(t.PartitionBy)+")")
	}
	clauses = append(clauses, "ORDER BY "+tuple(t.OrderBy))
	if t.TTL != nil {
		clauses = append(clauses, "TTL "+kinds[t.TTL.Column].TTLOperand(ident(t.TTL.Column))+" + INTERVAL "+strconv.Itoa(t.TTL.Days)+" DAY")
	}
	b.WriteString(strings.Join(clauses, "\n") + ";\n")
	return b.String()
}

// engine is the ENGINE clause: SummingMergeTree((columns)) when the
// catalog lists what to sum, ReplacingMergeTree(version); with replicas
// ReplicatedSummingMergeTree('<path>', '{replica}', (columns)) and so on.
func engine(ch *catalog.ClickHouse, t *catalog.ClickHouseTable) string {
	var args []string
	name := t.Engine
	if ch.Replicated() {
		name = "Replicated" + name
		args = append(args, "'"+ReplicaPath+"'", "'{replica}'")
	}
	switch {
	case t.Engine == catalog.EngineSummingMergeTree && len(t.Sum) > 0:
		args = append(args, tuple(t.Sum))
	case t.Engine == catalog.EngineReplacingMergeTree && t.Version != "":
		args = append(args, ident(t.Version))
	}
	if len(args) == 0 {
		return name
	}
	return name + "(" + strings.Join(args, ", ") + ")"
}

// tuple is (a, b), or tuple() for no columns (an unsorted table).
func tuple(cols []string) string {
	if len(cols) == 0 {
		return "tuple()"
	}
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = ident(c)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// ident quotes an identifier. The loader allows only [a-z_][a-z0-9_]*,
// which needs no escaping; quoting keeps keywords (order, date) usable as
// names.
func ident(s string) string { return "`" + s + "`" }
