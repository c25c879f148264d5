package awsfake

type organization struct{}
type secret struct{}

func trailOperation(string) handler   { return nil }
func orgOperation(string) handler     { return nil }
func secretsOperation(string) handler { return nil }
