package monitoring

// The few parts of Grafana's dashboard JSON model (schemaVersion 39) the
// generated dashboards use, typed so a dashboard is built, not templated.
// Grafana fills in whatever is left out.

// grafanaSchemaVersion is the dashboard model version written; Grafana
// migrates older ones on load, so any Grafana from 10.4 on reads it as is.
const grafanaSchemaVersion = 39

type dashboard struct {
	UID           string     `json:"uid"`
	Title         string     `json:"title"`
	Description   string     `json:"description,omitempty"`
	Tags          []string   `json:"tags"`
	Editable      bool       `json:"editable"`
	SchemaVersion int        `json:"schemaVersion"`
	Time          timeRange  `json:"time"`
	Refresh       string     `json:"refresh"`
	Templating    templating `json:"templating"`
	Panels        []panel    `json:"panels"`
}

type timeRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type templating struct {
	List []variable `json:"list"`
}

// variable is a template variable: the data source, or values of a label.
type variable struct {
	Name       string         `json:"name"`
	Label      string         `json:"label,omitempty"`
	Type       string         `json:"type"` // datasource, query
	Query      string         `json:"query"`
	Datasource *datasourceRef `json:"datasource,omitempty"`
	Refresh    int            `json:"refresh,omitempty"` // 2: on time range change
	Multi      bool           `json:"multi,omitempty"`
	IncludeAll bool           `json:"includeAll,omitempty"`
	AllValue   string         `json:"allValue,omitempty"`
	Sort       int            `json:"sort,omitempty"` // 1: alphabetical
	Current    *selection     `json:"current,omitempty"`
}

// selection is a variable's value when the dashboard opens.
type selection struct {
	Selected bool     `json:"selected"`
	Text     []string `json:"text"`
	Value    []string `json:"value"`
}

// allSelected selects All ($__all) in a multi-value variable.
var allSelected = &selection{Selected: true, Text: []string{"All"}, Value: []string{"$__all"}}

type datasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID          int            `json:"id"`
	Type        string         `json:"type"` // timeseries, stat
	Title       string         `json:"title"`
	Description string         `json:"description,omitempty"`
	GridPos     gridPos        `json:"gridPos"`
	Datasource  *datasourceRef `json:"datasource,omitempty"`
	Targets     []target       `json:"targets"`
	FieldConfig fieldConfig    `json:"fieldConfig"`
}

type gridPos struct {
	H int `json:"h"`
	W int `json:"w"`
	X int `json:"x"`
	Y int `json:"y"`
}

type target struct {
	RefID        string         `json:"refId"`
	Expr         string         `json:"expr"`
	LegendFormat string         `json:"legendFormat,omitempty"`
	Datasource   *datasourceRef `json:"datasource,omitempty"`
}

type fieldConfig struct {
	Defaults  fieldDefaults `json:"defaults"`
	Overrides []struct{}    `json:"overrides"`
}

type fieldDefaults struct {
	Unit string   `json:"unit,omitempty"`
	Min  *float64 `json:"min,omitempty"`
	Max  *float64 `json:"max,omitempty"`
}
