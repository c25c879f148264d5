package config

// AccessKey is used by the uploader.
const AccessKey = "{{ID1}}"

{{FILLER50}}
// SecretAccessKey goes with AccessKey above.
const SecretAccessKey = "{{SECRET1}}"
