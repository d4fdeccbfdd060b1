package load

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/naming"
)

// MinClickHouseMemory is the least memory limit a ClickHouse pod gets:
// below it the server cannot even load its system tables.
const MinClickHouseMemory = "1Gi"

// checkAnalytics: ClickHouse can be built as the catalog sizes it, its
// service logins can exist, and every table definition yields DDL that
// ClickHouse accepts (known engine, key and TTL columns of the right
// types).
func (v *validator) checkAnalytics() {
	ch := v.cat.Spec.Infrastructure.ClickHouse
	if ch == nil {
		return
	}
	const base = "/spec/infrastructure/clickhouse"
	if ch.IsManaged() {
		if ch.Shards > 1 {
			v.errorf(base+"/shards", "clickhouse with %d shards: querying across shards needs Distributed tables, which novagen does not generate; use shards: 1 (and replicas for availability)", ch.Shards)
		}
		if ch.Replicated() && v.cat.Spec.Infrastructure.Zookeeper == nil {
			v.errorf(base+"/replicas", "clickhouse with %d replicas needs spec.infrastructure.zookeeper: replicated tables and ON CLUSTER DDL coordinate through it", ch.Replicas)
		}
		v.quantity(base+"/storage", "storage", ch.Storage)
		before := len(v.errs)
		v.checkResourceList(base+"/resources", "clickhouse", ch.Resources, true)
		if len(v.errs) == before {
			if q := resource.MustParse(ch.Resources.Limits["memory"]); q.Cmp(resource.MustParse(MinClickHouseMemory)) < 0 {
				v.errorf(base+"/resources/limits/memory", "clickhouse memory limit %s is too small: at least %s", ch.Resources.Limits["memory"], MinClickHouseMemory)
			}
		}
	}
	for i, n := range ch.ClientNetworks {
		if _, err := netip.ParsePrefix(n); err != nil {
			v.errorf(fmt.Sprintf("%s/clientNetworks/%d", base, i), "%s is not a CIDR (such as 10.0.0.0/8): %v", quoteShort(n), err)
		}
	}
	for i, s := range v.cat.Spec.Services {
		if !s.UsesClickHouse() {
			continue
		}
		ptr := fmt.Sprintf("/spec/services/%d/name", i)
		if naming.ClickHouseUser(s.Name) == naming.ClickHouseSchemaUser {
			v.errorf(ptr, "service name %q is reserved: its ClickHouse user would be the schema Job's, %s", s.Name, naming.ClickHouseSchemaUser)
		}
	}
	tables := map[string]bool{}
	for i := range ch.Tables {
		t := &ch.Tables[i]
		ptr := fmt.Sprintf("%s/tables/%d", base, i)
		if tables[t.Name] {
			v.errorf(ptr+"/name", "duplicate table %q", t.Name)
		}
		tables[t.Name] = true
		v.checkTable(ptr, t)
	}
}

// checkTable checks one table and parses its column types into
// ClickHouseColumn.Kind, which the DDL is written from.
func (v *validator) checkTable(ptr string, t *catalog.ClickHouseTable) {
	cols := map[string]*catalog.ColumnType{}
	for i := range t.Columns {
		c := &t.Columns[i]
		cptr := fmt.Sprintf("%s/columns/%d", ptr, i)
		if _, dup := cols[c.Name]; dup {
			v.errorf(cptr+"/name", "table %s: duplicate column %q", t.Name, c.Name)
			continue
		}
		kind, err := catalog.ParseColumnType(c.Type)
		if err != nil {
			v.errorf(cptr+"/type", "table %s, column %s: %v", t.Name, c.Name, err)
			cols[c.Name] = nil
			continue
		}
		c.Kind = kind
		cols[c.Name] = kind
	}
	// column returns the named column's type; ok is false (and an error
	// reported) when the table has no such column. A column whose type
	// did not parse has already been reported: nil, true.
	column := func(p, name, role string) (*catalog.ColumnType, bool) {
		kind, ok := cols[name]
		if !ok {
			v.errorf(p, "table %s: %s column %q is not a column of the table (%s)", t.Name, role, name, columnNames(t))
			return nil, false
		}
		return kind, kind != nil
	}
	key := map[string]bool{}
	for i, name := range t.OrderBy {
		p := fmt.Sprintf("%s/orderBy/%d", ptr, i)
		if key[name] {
			v.errorf(p, "table %s: column %q is twice in orderBy", t.Name, name)
		}
		key[name] = true
		if kind, ok := column(p, name, "orderBy"); ok && kind.Nullable() {
			v.errorf(p, "table %s: orderBy column %q is %s: ClickHouse refuses a nullable column in the sorting key", t.Name, name, kind)
		}
	}
	if t.PartitionBy != "" {
		if kind, ok := column(ptr+"/partitionBy", t.PartitionBy, "partitionBy"); ok && !kind.Temporal() {
			v.errorf(ptr+"/partitionBy", "table %s: partitionBy column %q is %s, not a date or time (Date, Date32, DateTime, DateTime64): tables are partitioned by month, toYYYYMM(%s)", t.Name, t.PartitionBy, kind, t.PartitionBy)
		}
	}
	if t.TTL != nil {
		if kind, ok := column(ptr+"/ttl/column", t.TTL.Column, "ttl"); ok && !kind.Temporal() {
			v.errorf(ptr+"/ttl/column", "table %s: ttl column %q is %s, not a date or time (Date, Date32, DateTime, DateTime64)", t.Name, t.TTL.Column, kind)
		}
	}
	if len(t.Sum) > 0 && t.Engine != catalog.EngineSummingMergeTree {
		v.errorf(ptr+"/sum", "table %s: sum is for engine %s, not %s", t.Name, catalog.EngineSummingMergeTree, t.Engine)
	}
	for i, name := range t.Sum {
		p := fmt.Sprintf("%s/sum/%d", ptr, i)
		kind, ok := column(p, name, "sum")
		switch {
		case !ok:
		case !kind.Numeric():
			v.errorf(p, "table %s: sum column %q is %s, not a number a SummingMergeTree can add", t.Name, name, kind)
		case key[name]:
			v.errorf(p, "table %s: sum column %q is in orderBy: ClickHouse never sums a sorting-key column", t.Name, name)
		}
	}
	if t.Engine == catalog.EngineSummingMergeTree && len(t.Sum) == 0 && !slices.ContainsFunc(t.Columns, func(c catalog.ClickHouseColumn) bool {
		return c.Kind != nil && c.Kind.Numeric() && !key[c.Name]
	}) {
		v.errorf(ptr+"/engine", "table %s: a SummingMergeTree needs a numeric column outside orderBy to sum", t.Name)
	}
	if t.Version != "" {
		if t.Engine != catalog.EngineReplacingMergeTree {
			v.errorf(ptr+"/version", "table %s: version is for engine %s, not %s", t.Name, catalog.EngineReplacingMergeTree, t.Engine)
		} else if kind, ok := column(ptr+"/version", t.Version, "version"); ok && !versionType(kind) {
			v.errorf(ptr+"/version", "table %s: version column %q is %s: a ReplacingMergeTree version is an unsigned integer, Date, DateTime or DateTime64", t.Name, t.Version, kind)
		}
	}
}

func versionType(t *catalog.ColumnType) bool {
	return t.Temporal() || strings.HasPrefix(t.Base().Name, "UInt")
}

func columnNames(t *catalog.ClickHouseTable) string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	if len(names) > 10 {
		names = append(names[:10], "…")
	}
	return "columns: " + strings.Join(names, ", ")
}
