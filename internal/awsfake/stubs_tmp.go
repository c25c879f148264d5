package awsfake

type organization struct{}
type secret struct{}

func iamOperation(string) handler     { return nil }
func trailOperation(string) handler   { return nil }
func orgOperation(string) handler     { return nil }
func secretsOperation(string) handler { return nil }
