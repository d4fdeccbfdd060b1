// Server processes for the real-component test harnesses (test/apiserver,
// test/argocd). Its own module without dependencies, so harnesses whose
// dependency graphs cannot meet (argo-cd pins k8s.io/* to v0.31) share it.
module github.com/novagen/novagen/test/proc

go 1.26.0
