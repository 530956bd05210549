/*
Copyright 2019 The Kubernetes Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Vendored by scripts/gen-protobuf.ts: the type declarations of types.go, comments removed.

package v1

type EndpointSlice struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	AddressType AddressType `json:"addressType" protobuf:"bytes,4,rep,name=addressType"`
	Endpoints []Endpoint `json:"endpoints" protobuf:"bytes,2,rep,name=endpoints"`
	Ports []EndpointPort `json:"ports" protobuf:"bytes,3,rep,name=ports"`
}
type Endpoint struct {
	Addresses []string `json:"addresses" protobuf:"bytes,1,rep,name=addresses"`
	Conditions EndpointConditions `json:"conditions,omitempty" protobuf:"bytes,2,opt,name=conditions"`
	Hostname *string `json:"hostname,omitempty" protobuf:"bytes,3,opt,name=hostname"`
	TargetRef *v1.ObjectReference `json:"targetRef,omitempty" protobuf:"bytes,4,opt,name=targetRef"`
	DeprecatedTopology map[string]string `json:"deprecatedTopology,omitempty" protobuf:"bytes,5,opt,name=deprecatedTopology"`
	NodeName *string `json:"nodeName,omitempty" protobuf:"bytes,6,opt,name=nodeName"`
	Zone *string `json:"zone,omitempty" protobuf:"bytes,7,opt,name=zone"`
	Hints *EndpointHints `json:"hints,omitempty" protobuf:"bytes,8,opt,name=hints"`
}
type EndpointConditions struct {
	Ready *bool `json:"ready,omitempty" protobuf:"bytes,1,name=ready"`
	Serving *bool `json:"serving,omitempty" protobuf:"bytes,2,name=serving"`
	Terminating *bool `json:"terminating,omitempty" protobuf:"bytes,3,name=terminating"`
}
type EndpointHints struct {
	ForZones []ForZone `json:"forZones,omitempty" protobuf:"bytes,1,name=forZones"`
	ForNodes []ForNode `json:"forNodes,omitempty" protobuf:"bytes,2,name=forNodes"`
}
type ForZone struct {
	Name string `json:"name" protobuf:"bytes,1,name=name"`
}
type ForNode struct {
	Name string `json:"name" protobuf:"bytes,1,name=name"`
}
type EndpointPort struct {
	Name *string `json:"name,omitempty" protobuf:"bytes,1,name=name"`
	Protocol *v1.Protocol `json:"protocol,omitempty" protobuf:"bytes,2,name=protocol"`
	Port *int32 `json:"port,omitempty" protobuf:"bytes,3,opt,name=port"`
	AppProtocol *string `json:"appProtocol,omitempty" protobuf:"bytes,4,name=appProtocol"`
}
type EndpointSliceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	Items []EndpointSlice `json:"items" protobuf:"bytes,2,rep,name=items"`
}
