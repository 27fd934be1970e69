module github.com/voltasis/voltasis-go

go 1.19
